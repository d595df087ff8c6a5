// Types for scripts/drawn.mjs (used from the TypeScript tests).
export interface DrawnReport {
  drawn: boolean;
  why: string;
  traces: number;
}
export function drawnReport(selector?: string): Promise<DrawnReport[]>;
export function waitAllDrawn(
  page: { evaluate: (...args: any[]) => Promise<any>; waitForTimeout: (ms: number) => Promise<void> },
  opts?: { selector?: string; count?: number; timeout?: number },
): Promise<DrawnReport[]>;
