/**
 * mha-lab/train: a tiny one-layer attention model, seeded synthetic tasks, Adam/SGD, a training loop with
 * snapshots of every head, and head ablation. Re-exports only.
 */
export { tasks, previousToken, tokenBack, induction, neighbours } from "./tasks";
export type { Example, Task, TaskOptions } from "./tasks";
export { sinusoidalPositions } from "./positions";
export { TinyModel } from "./model";
export type { ModelForwardOptions, ModelTrace, TinyModelConfig, TinyModelOptions, TinyModelParams } from "./model";
export { adam, sgd } from "./optimizers";
export type { AdamOptions, Optimizer, SgdOptions } from "./optimizers";
export { stepper } from "./stepper";
export type { Stepper, StepperOptions } from "./stepper";
export { train } from "./train";
export type { HistoryEntry, Progress, Snapshot, TrainOptions, TrainResult, ValidationEntry } from "./train";
export { ablationTable, evaluate } from "./evaluate";
export type { AblationRow, EvaluateOptions, Evaluation } from "./evaluate";
