// The package's layers, one entry point each (package.json "exports"):
//   mha-lab           the math: the layer, its steps, masks, cost, types   (src/math)
//   mha-lab/fast      the fast kernel (Float64Array, WebAssembly SIMD), same call shape as forward   (src/math/fast)
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
