/**
 * Display downsampling. A 300 px wide chart cannot show 10,000 points per series; drawing them costs
 * seconds and megabytes of SVG. Lines keep their shape with min/max per x-bucket (every spike and dip
 * survives, plus each series' first and last point); scatter plots keep one point per cell of a grid
 * finer than the pixels. The caller always adds a note saying what was reduced.
 */
import type { Datapoint } from './data.js';

/** Series longer than this are reduced. */
export const LINE_LIMIT = 2_000;
/** Buckets per line series (two points each, min and max): finer than the 300 px the chart is wide. */
export const LINE_BUCKETS = 400;
export const SCATTER_LIMIT = 3_000;
/** Cells per axis: about 2.5 px at the 300 px chart size, under the 3 px radius of a point mark. */
export const SCATTER_GRID = 120;

export interface Downsampled {
  values: Datapoint[];
  /** Series that were reduced: key, points before, points after. */
  reduced: { series: string; from: number; to: number }[];
}

function seriesKey(d: Datapoint): string {
  return `${String(d.rev)} · ${String(d.filename)} · ${String(d.field)}`;
}

/** Series by (rev, filename, field). Points of a series arrive together, so keys are built per run. */
function groupSeries(values: Datapoint[]): Map<string, Datapoint[]> {
  const groups = new Map<string, Datapoint[]>();
  let prev: Datapoint | undefined;
  let current: Datapoint[] | undefined;
  for (const d of values) {
    if (!prev || d.rev !== prev.rev || d.filename !== prev.filename || d.field !== prev.field) {
      const k = seriesKey(d);
      current = groups.get(k);
      if (!current) groups.set(k, (current = []));
    }
    current!.push(d);
    prev = d;
  }
  return groups;
}

/** Min/max per equal-width x bucket, in x order. `x`/`y` values must already be numbers. */
export function minMaxBuckets(points: Datapoint[], x: string, y: string, buckets = LINE_BUCKETS): Datapoint[] {
  let ordered = true;
  for (let i = 1; i < points.length && ordered; i++) ordered = (points[i - 1]![x] as number) <= (points[i]![x] as number);
  const sorted = ordered ? points : [...points].sort((a, b) => (a[x] as number) - (b[x] as number));
  const x0 = sorted[0]![x] as number;
  const x1 = sorted[sorted.length - 1]![x] as number;
  const width = (x1 - x0) / buckets || 1;
  const keep = new Set<Datapoint>([sorted[0]!, sorted[sorted.length - 1]!]);
  let b = -1;
  let lo: Datapoint | undefined;
  let hi: Datapoint | undefined;
  const flush = () => {
    if (lo) keep.add(lo);
    if (hi) keep.add(hi);
  };
  for (const d of sorted) {
    const bucket = Math.min(buckets - 1, Math.floor(((d[x] as number) - x0) / width));
    if (bucket !== b) {
      flush();
      b = bucket;
      lo = hi = d;
      continue;
    }
    if ((d[y] as number) < (lo![y] as number)) lo = d;
    if ((d[y] as number) > (hi![y] as number)) hi = d;
  }
  flush();
  return sorted.filter((d) => keep.has(d));
}

/** One point per grid cell (first seen wins). */
export function gridThin(points: Datapoint[], x: string, y: string, grid = SCATTER_GRID): Datapoint[] {
  let [xmin, xmax, ymin, ymax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const d of points) {
    const px = d[x] as number;
    const py = d[y] as number;
    if (px < xmin) xmin = px;
    if (px > xmax) xmax = px;
    if (py < ymin) ymin = py;
    if (py > ymax) ymax = py;
  }
  const sx = (xmax - xmin) / grid || 1;
  const sy = (ymax - ymin) / grid || 1;
  const seen = new Set<number>();
  return points.filter((d) => {
    const cell = Math.floor(((d[x] as number) - xmin) / sx) * (grid + 1) + Math.floor(((d[y] as number) - ymin) / sy);
    if (seen.has(cell)) return false;
    seen.add(cell);
    return true;
  });
}

export function downsample(values: Datapoint[], x: string, y: string, kind: 'line' | 'scatter'): Downsampled {
  const limit = kind === 'line' ? LINE_LIMIT : SCATTER_LIMIT;
  const groups = groupSeries(values);
  if ([...groups.values()].every((g) => g.length <= limit)) return { values, reduced: [] };
  const out: Datapoint[] = [];
  const reduced: Downsampled['reduced'] = [];
  for (const [series, pts] of groups) {
    if (pts.length <= limit) {
      out.push(...pts);
      continue;
    }
    const kept = kind === 'line' ? minMaxBuckets(pts, x, y) : gridThin(pts, x, y);
    reduced.push({ series, from: pts.length, to: kept.length });
    out.push(...kept);
  }
  return { values: out, reduced };
}
