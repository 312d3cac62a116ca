/**
 * Fallbacks GitHub renders natively when images cannot be hosted (`image-host: none`, or a fork PR
 * whose token cannot write contents): a Mermaid `xychart-beta` for line and bar plots and a markdown
 * table for confusion matrices. Scatter plots have no native equivalent.
 */
import { markdownTable } from 'markdown-table';
import type { Datapoint } from './data.js';
import { toNumber } from './data.js';
import { DVC_PALETTE, type TemplateName } from './templates.js';

/** Points per line in the Mermaid chart: xychart spreads values evenly over the x range. */
export const MERMAID_POINTS = 25;
const COLOR_NAMES: Record<string, string> = {
  '#945dd6': 'purple',
  '#13adc7': 'teal',
  '#f46837': 'orange',
  '#48bb78': 'green',
  '#4299e1': 'blue',
  '#ed8936': 'amber',
  '#f56565': 'red',
};

export interface FallbackInput {
  template: TemplateName;
  title: string;
  x: string;
  y: string;
  xLabel: string;
  yLabel: string;
  revs: string[];
  values: Datapoint[];
}

export interface Fallback {
  mermaid?: string;
  markdownTable?: string;
  /** Ready-to-paste markdown: the fenced diagram with its legend, or the table(s). */
  markdown: string;
  notes: string[];
}

const quote = (s: string) => `"${s.replace(/"/g, "'").replace(/[\r\n]+/g, ' ')}"`;

function fmt(n: number): string {
  if (!Number.isFinite(n)) return '0';
  if (n === 0) return '0';
  const r = Number(n.toPrecision(4));
  // Mermaid's number grammar has no exponent: 1e-7 must be written out.
  return /e/i.test(String(r)) ? r.toFixed(12).replace(/\.?0+$/, '') : String(r);
}

function seriesOf(values: Datapoint[], multiFile: boolean): Map<string, Datapoint[]> {
  const m = new Map<string, Datapoint[]>();
  for (const d of values) {
    const key = multiFile ? `${String(d.rev)} · ${String(d.filename)}${d.field !== undefined ? ` · ${String(d.field)}` : ''}` : String(d.rev);
    let s = m.get(key);
    if (!s) m.set(key, (s = []));
    s.push(d);
  }
  return m;
}

function interpolate(points: [number, number][], x: number): number {
  if (x <= points[0]![0]) return points[0]![1];
  const last = points[points.length - 1]!;
  if (x >= last[0]) return last[1];
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  const [x0, y0] = points[lo]!;
  const [x1, y1] = points[hi]!;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

function initLine(colors: string[]): string {
  return `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${colors.join(', ')}"}}}}%%`;
}

function legend(names: string[], colors: string[]): string {
  return names.map((n, i) => `${COLOR_NAMES[colors[i]!] ?? colors[i]}: ${n}`).join(' · ');
}

function lineChart(input: FallbackInput): Fallback {
  const multiFile = new Set(input.values.map((d) => `${String(d.filename)}|${String(d.field)}`)).size > 1;
  const series = [...seriesOf(input.values, multiFile)].map(([name, pts]) => {
    const xy = pts
      .map((d) => [toNumber(d[input.x]), toNumber(d[input.y])] as const)
      .filter((p): p is [number, number] => p[0] !== undefined && p[1] !== undefined)
      .sort((a, b) => a[0] - b[0]);
    return { name, xy };
  }).filter((s) => s.xy.length);
  if (!series.length) return { markdown: '', notes: ['no numeric data for a Mermaid chart'] };
  const xmin = Math.min(...series.map((s) => s.xy[0]![0]));
  const xmax = Math.max(...series.map((s) => s.xy[s.xy.length - 1]![0]));
  const n = xmax > xmin ? MERMAID_POINTS : 1;
  const grid = Array.from({ length: n }, (_, i) => (n === 1 ? xmin : xmin + ((xmax - xmin) * i) / (n - 1)));
  const lines = series.map((s) => grid.map((x) => interpolate(s.xy, x)));
  const all = lines.flat();
  const [ymin, ymax] = [Math.min(...all), Math.max(...all)];
  const colors = series.map((_, i) => DVC_PALETTE[i % DVC_PALETTE.length]!);
  const mermaid = [
    initLine(colors),
    'xychart-beta',
    `    title ${quote(input.title)}`,
    `    x-axis ${quote(input.xLabel)} ${fmt(xmin)} --> ${fmt(xmax === xmin ? xmin + 1 : xmax)}`,
    `    y-axis ${quote(input.yLabel)} ${fmt(ymin)} --> ${fmt(ymax === ymin ? ymin + 1 : ymax)}`,
    ...lines.map((l) => `    line [${l.map(fmt).join(', ')}]`),
  ].join('\n');
  const names = series.map((s) => s.name);
  const resampled = series.some((s) => s.xy.length !== n);
  return {
    mermaid,
    markdown: ['```mermaid', mermaid, '```', '', legend(names, colors)].join('\n'),
    notes: resampled ? [`Mermaid chart resampled to ${n} evenly spaced ${input.xLabel} values`] : [],
  };
}

function barChart(input: FallbackInput): Fallback {
  // xychart draws several bar series on top of each other, so revisions become neighbouring categories.
  const cats: string[] = [];
  const vals: number[] = [];
  const multiRev = new Set(input.values.map((d) => String(d.rev))).size > 1;
  const byCat = new Map<string, Datapoint[]>();
  for (const d of input.values) {
    const c = String(d[input.y]);
    let l = byCat.get(c);
    if (!l) byCat.set(c, (l = []));
    l.push(d);
  }
  let entries = [...byCat];
  if (input.template === 'bar_horizontal_sorted') {
    const max = (ds: Datapoint[]) => Math.max(...ds.map((d) => toNumber(d[input.x]) ?? -Infinity));
    entries = entries.sort((a, b) => max(b[1]) - max(a[1]));
  }
  for (const [cat, ds] of entries) {
    for (const rev of input.revs) {
      for (const d of ds.filter((v) => String(v.rev) === rev)) {
        cats.push(multiRev ? `${cat} (${rev})` : cat);
        vals.push(toNumber(d[input.x]) ?? 0);
      }
    }
  }
  const mermaid = [
    initLine([DVC_PALETTE[0]!]),
    'xychart-beta horizontal',
    `    title ${quote(input.title)}`,
    `    x-axis [${cats.map(quote).join(', ')}]`,
    `    y-axis ${quote(input.xLabel)}`,
    `    bar [${vals.map(fmt).join(', ')}]`,
  ].join('\n');
  return { mermaid, markdown: ['```mermaid', mermaid, '```'].join('\n'), notes: [] };
}

function confusionTables(input: FallbackInput): Fallback {
  const normalized = input.template === 'confusion_normalized';
  const multiFile = new Set(input.values.map((d) => String(d.filename))).size > 1;
  const groups = new Map<string, Datapoint[]>();
  for (const rev of input.revs) {
    for (const d of input.values.filter((v) => String(v.rev) === rev)) {
      const key = multiFile ? `${rev} · ${String(d.filename)}` : rev;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(d);
    }
  }
  const sortCats = (vs: Set<string>) => [...vs].sort((a, b) => (toNumber(a) !== undefined && toNumber(b) !== undefined ? toNumber(a)! - toNumber(b)! : a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const [name, ds] of groups) {
    const xs = sortCats(new Set(ds.map((d) => String(d[input.x]))));
    const ys = sortCats(new Set(ds.map((d) => String(d[input.y]))));
    const count = new Map<string, number>();
    for (const d of ds) {
      const k = `${String(d[input.y])}\u0000${String(d[input.x])}`;
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    const rows = ys.map((yv) => {
      const cells = xs.map((xv) => count.get(`${yv}\u0000${xv}`) ?? 0);
      const sum = cells.reduce((a, b) => a + b, 0);
      return [yv, ...cells.map((c) => (normalized ? (sum ? (c / sum).toFixed(2) : '0.00') : String(c)))];
    });
    const table = markdownTable([[`${input.yLabel} \\ ${input.xLabel}`, ...xs], ...rows], { align: ['l', ...xs.map(() => 'r' as const)] });
    parts.push(`**${name}**\n\n${table}`);
  }
  const md = parts.join('\n\n');
  return { markdownTable: md, markdown: md, notes: [] };
}

/** The native fallback of one plot, or undefined for templates that have none (scatter). */
export function fallbackFor(input: FallbackInput): Fallback | undefined {
  switch (input.template) {
    case 'simple':
    case 'linear':
    case 'smooth':
      return lineChart(input);
    case 'bar_horizontal':
    case 'bar_horizontal_sorted':
      return barChart(input);
    case 'confusion':
    case 'confusion_normalized':
      return confusionTables(input);
    default:
      return undefined;
  }
}
