/**
 * Display downsampling. A 300 px wide chart cannot show 10,000 points per series; drawing them costs
 * seconds and megabytes of SVG. Lines keep their shape with min/max per x-bucket (every spike and dip
 * survives, plus each series' first and last point); scatter plots keep one point per cell of a grid
 * finer than the pixels. Works on numeric columns and returns the indices to keep, so no per-point
 * object is made for points that are dropped. The caller always adds a note saying what was reduced.
 */

/** Series longer than this are reduced. */
export const LINE_LIMIT = 2_000;
/**
 * Buckets per line series (two points each, min and max): one per pixel of the 300 px wide chart,
 * which draws every spike and dip the full series has at that width (400 drew no more than a few
 * sub-pixel edges, for a third more marks to lay out and rasterise).
 */
export const LINE_BUCKETS = 300;
/**
 * Buckets of the loess input of a reduced series (`smooth`): loess is quadratic in the points, and its
 * curve over min/max pairs of 200 buckets stays within 0.15 % of the y range of the curve over all
 * 10,000 points (300 buckets, the drawn points: 0.1 %), at under half the cost.
 */
export const SMOOTH_BUCKETS = 200;
export const SCATTER_LIMIT = 3_000;
/**
 * Cells per axis: 3.75 px at the 300 px chart size, the outer radius of a point mark (2.7 px plus half
 * its 2 px stroke), so a dropped point's circle lies mostly under a kept one's. 120 cells drew a solid
 * band of overlapping circles with twice the marks (5 x 10,000-point bench: 875 vs 436 per series,
 * 0.1 s of the cold render).
 */
export const SCATTER_GRID = 80;

/** Indices of `idx` ordered by x (stable; untouched when already ordered). */
function byX(xs: Float64Array, idx: number[]): number[] {
  for (let k = 1; k < idx.length; k++) if (xs[idx[k - 1]!]! > xs[idx[k]!]!) return [...idx].sort((a, b) => xs[a]! - xs[b]! || a - b);
  return idx;
}

/** Min/max per equal-width x bucket, plus first and last; indices in x order. */
export function minMaxBuckets(xs: Float64Array, ys: Float64Array, idx: number[], buckets = LINE_BUCKETS): number[] {
  const sorted = byX(xs, idx);
  if (sorted.length <= 2) return sorted;
  const x0 = xs[sorted[0]!]!;
  const width = (xs[sorted[sorted.length - 1]!]! - x0) / buckets || 1;
  const keep = new Uint8Array(xs.length);
  keep[sorted[0]!] = 1;
  keep[sorted[sorted.length - 1]!] = 1;
  let bucket = -1;
  let lo = -1;
  let hi = -1;
  for (const i of sorted) {
    const b = Math.min(buckets - 1, Math.floor((xs[i]! - x0) / width));
    if (b !== bucket) {
      if (lo >= 0) keep[lo] = keep[hi] = 1;
      bucket = b;
      lo = hi = i;
    } else {
      if (ys[i]! < ys[lo]!) lo = i;
      if (ys[i]! > ys[hi]!) hi = i;
    }
  }
  if (lo >= 0) keep[lo] = keep[hi] = 1;
  return sorted.filter((i) => keep[i]);
}

/** One point per grid cell (first seen wins), in input order. */
export function gridThin(xs: Float64Array, ys: Float64Array, idx: number[], grid = SCATTER_GRID): number[] {
  let [xmin, xmax, ymin, ymax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const i of idx) {
    if (xs[i]! < xmin) xmin = xs[i]!;
    if (xs[i]! > xmax) xmax = xs[i]!;
    if (ys[i]! < ymin) ymin = ys[i]!;
    if (ys[i]! > ymax) ymax = ys[i]!;
  }
  const sx = (xmax - xmin) / grid || 1;
  const sy = (ymax - ymin) / grid || 1;
  const seen = new Set<number>();
  return idx.filter((i) => {
    const cell = Math.floor((xs[i]! - xmin) / sx) * (grid + 1) + Math.floor((ys[i]! - ymin) / sy);
    if (seen.has(cell)) return false;
    seen.add(cell);
    return true;
  });
}

/** The indices of one series to draw: all of them when short, else reduced. */
export function reduceSeries(xs: Float64Array, ys: Float64Array, idx: number[], kind: 'line' | 'scatter'): number[] {
  if (idx.length <= (kind === 'line' ? LINE_LIMIT : SCATTER_LIMIT)) return idx;
  return kind === 'line' ? minMaxBuckets(xs, ys, idx) : gridThin(xs, ys, idx);
}
