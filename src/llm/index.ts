/**
 * mha-lab/llm: a real chat model (SmolLM2-135M-Instruct, from its GGUF file) run by our own code.
 * Re-exports only.
 */
export {};
