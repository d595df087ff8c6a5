/**
 * A seeded percentile bootstrap over sentences: resample the n sentences with replacement, recompute the
 * statistic, and take the middle `level` of its values. Sentences (not word pairs) are resampled, because
 * pairs from one sentence are not independent.
 *
 * Dependencies: mulberry32.
 */
import { mulberry32 } from "../math/random";

/** Options of bootstrapInterval. */
export interface BootstrapOptions {
  /** resamples (default 1000) */ samples?: number;
  /** seed of the resampling (default 0) */ seed?: number;
  /** the interval's coverage (default 0.95) */ level?: number;
}

/**
 * Percentile bootstrap interval of a statistic of n sentences.
 *   draw idx_1 … idx_n uniformly from 0 … n−1 (B times); interval = the (1−level)/2 and (1+level)/2 quantiles
 * @param n         how many sentences
 * @param statistic the statistic of a list of sentence indices (with repeats), e.g. Σ correct / Σ pairs; null
 *                  when a resample has no data (no pairs at all): that resample is left out
 * @param options   { samples, seed, level }
 * @return [low, high]
 * @example bootstrapInterval(4, (idx) => idx.length, { samples: 10 }) // returns [4, 4]
 */
export function bootstrapInterval(n: number, statistic: (idx: number[]) => number | null, options: BootstrapOptions = {}): [number, number] {
  const { samples = 1000, seed = 0, level = 0.95 } = options;
  if (!Number.isInteger(n) || n < 1) throw new Error(`bootstrapInterval: n must be a positive integer (sentences), got ${n}`);
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`bootstrapInterval: samples must be a positive integer, got ${samples}`);
  if (!(level > 0 && level < 1)) throw new Error(`bootstrapInterval: level must be between 0 and 1 (e.g. 0.95), got ${level}`);
  const rand = mulberry32(seed);
  const values: number[] = [];
  const idx = new Array<number>(n);
  for (let b = 0; b < samples; b++) {
    for (let k = 0; k < n; k++) idx[k] = Math.floor(rand() * n);
    const v = statistic(idx);
    if (v === null) continue;
    if (!Number.isFinite(v)) throw new Error(`bootstrapInterval: the statistic gave ${v} on resample ${b}`);
    values.push(v);
  }
  if (values.length === 0) throw new Error(`bootstrapInterval: every one of the ${samples} resamples had no data (the statistic gave null)`);
  values.sort((a, b) => a - b);
  const m = values.length;
  const at = (q: number) => values[Math.min(m - 1, Math.max(0, Math.round(q * (m - 1))))];
  return [at((1 - level) / 2), at((1 + level) / 2)];
}
