// Types for scripts/runtime/test.mjs (used from test/runtime/summary.test.ts).
export const SKIPS_FILE: string;
export function parseCounts(output: string): { passed: number; failed: number; skipped: number };
export function testsInReport(kind: string, text: string): { name: string; status: "passed" | "failed" | "skipped"; message: string }[];
export function skippedInReport(kind: string, text: string): string[];
export function failedInReport(kind: string, text: string): string[];
export function unexplainedSkips(skipped: string[], allowed: Array<{ test: string; reason: string }>): string[];

/** One stage of npm test: a command and how its closing lines are read. */
export interface Stage {
  name: string;
  cmd: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  counts?: boolean;
  /** the name prefix of a stage (in any lane) this one waits for */ after?: string;
  report?: { kind: string; id: string };
}
/** What running a stage gave. */
export interface StageResult { code: number; passed: number; failed: number; skipped: number; seconds: number; error?: string }
export type RunStage = (stage: Stage, o?: { buffered?: boolean; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream }) => Promise<StageResult>;
export const LANES: Stage[][];
export const runStage: RunStage;
export function runLanes(lanes: Stage[][], onStage: (stage: Stage, result: StageResult) => void, run?: RunStage): Promise<void>;
