// Notebook-support helpers of the course (check cells, printing, toy data, small charts). Re-exports only.
export type { Numeric, MaxDiff } from "./checks";
export { check, checkClose, checks, maxAbsDiff } from "./checks";
export type { FmtOptions } from "./format";
export { fmt } from "./format";
export { RUNNING_TOKENS, randn, toyEmbeddings } from "./toy";
export { dot, mean, variance, rowEntropy, rowMax } from "./stats";
export { exercise, reachTarget, reveal, resetExercises } from "./exercise";
export type { HeadInputs } from "./heads-trace";
export { headsTrace } from "./heads-trace";
export type { ExerciseInfo, ProgressEntry } from "./progress";
export { progress, progressText, listExercises, exerciseId } from "./progress";
