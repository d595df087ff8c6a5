// The package's layers, one entry point each (package.json "exports"):
//   mha-lab           the math: the layer, its steps, masks, cost, types   (src/math)
//   mha-lab/fast      the fast path: the same calls on Float64Array buffers (src/math/fast)
//   mha-lab/train     a tiny trainable model, tasks, optimisers             (src/train)
//   mha-lab/plots     figure builders: plotly JSON, pure                    (src/plots)
//   mha-lab/notebook  show(): the only code that talks to tslab             (src/notebook)
//   mha-lab/html      figureToHTML: offline pages                           (src/html)
//   mha-lab/course    notebook helpers: checks, printing, toy data          (src/course)
//   mha-lab/minilm    a real pretrained model: data, head-pattern scores    (src/minilm)
//   mha-lab/blocks    shared transformer blocks, forward + backward per file (src/blocks)
//   mha-lab/models    trainable models built only from blocks               (src/models)
//   mha-lab/llm       a real chat model (SmolLM2-135M-Instruct, GGUF)       (src/llm)
//   mha-lab/syntax    heads scored against dependency parses                (src/syntax)
export * from "./math";
// The package's entry (not the math itself) loads the fast path, which registers forward's kernel "fast": so
// mha.forward(x, { kernel: "fast" }) works for anyone who imports "mha-lab", while src/math never imports src/math/fast.
import "./math/fast/forward";
