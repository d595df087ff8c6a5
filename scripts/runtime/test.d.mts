// Types for scripts/runtime/test.mjs (used from test/runtime/summary.test.ts).
export const SKIPS_FILE: string;
export function parseCounts(output: string): { passed: number; failed: number; skipped: number };
export function skippedInReport(kind: string, text: string): string[];
export function unexplainedSkips(skipped: string[], allowed: Array<{ test: string; reason: string }>): string[];
