/**
 * Vega-Lite specs for DVC's built-in plot templates (dvc-render `vega_templates.py`): the same marks,
 * fields, encodings, facets and DVC's revision palette, with DVC's optional anchors filled the way
 * dvc-render fills them (color by rev; strokeDash / shape / row / column by the file or field that
 * varies between series).
 *
 * The images are static, so the interactive parts of DVC's templates (hover rules, zoom and pan, the
 * smoothing slider, the "show values" checkbox) are left out and their defaults baked in: `smooth`
 * uses loess with bandwidth 0.2, `linear` shows the raw line (DVC's slider starts at 0.001, where loess
 * is the raw data), confusion matrices always print their numbers. `scatter_jitter` takes its jitter
 * from a seeded generator in the data rather than `random()` so the same data gives the same image.
 */
import { INDEX_FIELD, variedKeys } from './convert.js';
import type { Datapoint } from './data.js';

export const TEMPLATES = [
  'simple',
  'linear',
  'smooth',
  'scatter',
  'scatter_jitter',
  'confusion',
  'confusion_normalized',
  'bar_horizontal',
  'bar_horizontal_sorted',
] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export const DEFAULT_TEMPLATE: TemplateName = 'linear';

/** DVC's revision colours, in order. */
export const DVC_PALETTE = ['#945dd6', '#13adc7', '#f46837', '#48bb78', '#4299e1', '#ed8936', '#f56565'];
const STROKE_DASH = [[1, 0], [8, 8], [8, 4], [4, 4], [4, 2], [2, 1], [1, 1]];
const SHAPES = ['square', 'circle', 'triangle', 'diamond'];

export const PLOT_WIDTH = 300;
export const PLOT_HEIGHT = 300;
export const SMOOTH_BANDWIDTH = 0.2;

export function isTemplate(name: string): name is TemplateName {
  return (TEMPLATES as readonly string[]).includes(name);
}

/** Templates whose x and y must both be numbers. */
export const NUMERIC_XY: readonly TemplateName[] = ['simple', 'linear', 'smooth', 'scatter'];
/** Templates whose x must be a number (the bar length). */
export const NUMERIC_X: readonly TemplateName[] = ['bar_horizontal', 'bar_horizontal_sorted'];
export const LINE_TEMPLATES: readonly TemplateName[] = ['simple', 'linear', 'smooth'];
export const CONFUSION_TEMPLATES: readonly TemplateName[] = ['confusion', 'confusion_normalized'];

export interface SpecInput {
  template: TemplateName;
  title: string;
  x: string;
  y: string;
  xLabel: string;
  yLabel: string;
  /** Revision names in display order (the colour domain). */
  revs: string[];
  values: Datapoint[];
  /** `smooth` only: the loess input when it is not `values` (fewer min/max points of reduced series). */
  smoothValues?: Datapoint[];
  yDefs: { filename: string; field: string }[];
}

export type VegaLiteSpec = Record<string, unknown>;

/** Vega field names treat `.`, `[` and `]` as paths; DVC escapes them the same way. */
export function escapeField(name: string): string {
  return name.replace(/[.[\]]/g, (c) => `\\${c}`);
}

interface Anchors {
  color: Record<string, unknown>;
  /** Series key (the varied filename/field, joined with '::' when both vary), if any varies. */
  seriesField?: string;
  strokeDash?: Record<string, unknown>;
  shape?: Record<string, unknown>;
  groupBy: string[];
}

function scaleFor(field: string, domain: string[], range: unknown[]) {
  return {
    field,
    scale: { domain, range: domain.map((_, i) => range[i % range.length]) },
    legend: { symbolFillColor: 'transparent', symbolStrokeColor: 'grey' },
  };
}

/** Fill dvc-render's optional anchors; adds the joined series key to the values when both vary. */
function anchors(input: SpecInput): Anchors {
  const color = {
    field: 'rev',
    type: 'nominal',
    scale: { domain: input.revs, range: DVC_PALETTE.slice(0, Math.max(1, Math.min(input.revs.length, DVC_PALETTE.length))) },
  };
  const varied = variedKeys(input.yDefs);
  if (!varied.length) return { color, groupBy: ['rev'] };
  const seriesField = varied.join('::');
  if (varied.length === 2) for (const d of [...input.values, ...(input.smoothValues ?? [])]) d[seriesField] = `${String(d.filename)}::${String(d.field)}`;
  const domain =
    varied.length === 2 ? input.yDefs.map((d) => `${d.filename}::${d.field}`) : [...new Set(input.yDefs.map((d) => d[varied[0]!]))];
  const sorted = [...new Set(domain)].sort();
  return {
    color,
    seriesField,
    strokeDash: scaleFor(seriesField, sorted, STROKE_DASH),
    shape: scaleFor(seriesField, sorted, SHAPES),
    groupBy: ['rev', ...varied, ...(varied.length === 2 ? [seriesField] : [])],
  };
}

const quant = (field: string, title: string, zero = true) => ({
  field: escapeField(field),
  type: 'quantitative',
  title,
  ...(zero ? {} : { scale: { zero: false } }),
});

function header(input: SpecInput): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: input.values },
    title: { text: input.title, anchor: 'middle' },
  };
}

function lineSpec(input: SpecInput, a: Anchors): VegaLiteSpec {
  const x = quant(input.x, input.xLabel);
  const y = quant(input.y, input.yLabel, false);
  const seriesEnc = { color: a.color, ...(a.strokeDash ? { strokeDash: a.strokeDash } : {}) };
  if (input.template === 'simple') {
    return {
      ...header(input),
      width: PLOT_WIDTH,
      height: PLOT_HEIGHT,
      mark: { type: 'line', tooltip: { content: 'data' } },
      encoding: { x, y, ...seriesEnc },
    };
  }
  // linear / smooth: DVC's SmoothLinearTemplate — the (smoothed) line, the raw line faint behind it when
  // smoothing, and a dot on the last point of every series.
  const lastPoint = {
    mark: { type: 'circle', size: 10 },
    encoding: {
      x: { aggregate: 'max', ...quant(input.x, input.xLabel) },
      y: { aggregate: { argmax: escapeField(input.x) }, ...quant(input.y, input.yLabel, false) },
      color: a.color,
    },
  };
  const layers: VegaLiteSpec[] =
    input.template === 'smooth'
      ? [
          {
            ...(input.smoothValues ? { data: { values: input.smoothValues } } : {}),
            mark: 'line',
            encoding: { y },
            transform: [{ loess: escapeField(input.y), on: escapeField(input.x), groupby: a.groupBy, bandwidth: SMOOTH_BANDWIDTH }],
          },
          // DVC's `opacity: 0.2` as stroke opacity: the same look for a lone stroke, and resvg then
          // draws it directly instead of through an offscreen layer (4x faster for this chart).
          { mark: { type: 'line', strokeOpacity: 0.2 }, encoding: { x, y, color: a.color } },
          lastPoint,
        ]
      : [{ mark: 'line', encoding: { y } }, lastPoint];
  return {
    ...header(input),
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    encoding: { x, ...seriesEnc },
    layer: layers,
    // Without this the end-point dots turn the merged legend's line symbols into circles, and the faint
    // raw line of `smooth` makes them faint.
    config: { legend: { symbolType: 'stroke', symbolOpacity: 1 } },
  };
}

function scatterSpec(input: SpecInput, a: Anchors): VegaLiteSpec {
  const jitter = input.template === 'scatter_jitter';
  if (jitter) {
    const rand = mulberry32(0x5eed);
    for (const d of input.values) {
      d.randomX = rand();
      d.randomY = rand();
    }
  }
  return {
    ...header(input),
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    // Vega-Lite's default point opacity (0.7) as stroke opacity: the points are hollow, so they look
    // the same, and resvg does not composite a layer per point (half the time for 2,000 points).
    mark: { type: 'point', tooltip: { content: 'data' }, opacity: 1, strokeOpacity: 0.7 },
    encoding: {
      x: jitter ? { field: escapeField(input.x), title: input.xLabel } : quant(input.x, input.xLabel),
      y: jitter ? { field: escapeField(input.y), title: input.yLabel } : quant(input.y, input.yLabel),
      color: a.color,
      ...(a.shape ? { shape: a.shape } : {}),
      ...(jitter ? { xOffset: { field: 'randomX', type: 'quantitative' }, yOffset: { field: 'randomY', type: 'quantitative' } } : {}),
    },
    // The legend symbols as Vega-Lite draws them for the default opacity.
    config: { legend: { symbolOpacity: 0.7 } },
  };
}

function confusionSpec(input: SpecInput, a: Anchors): VegaLiteSpec {
  const X = escapeField(input.x);
  const Y = escapeField(input.y);
  const normalized = input.template === 'confusion_normalized';
  const extra = a.seriesField ? [a.seriesField] : [];
  const value = normalized ? 'percent_of_y' : 'xy_count';
  return {
    ...header(input),
    facet: {
      column: { field: 'rev', sort: [], title: null },
      ...(a.seriesField ? { row: { field: a.seriesField } } : {}),
    },
    spec: {
      width: PLOT_WIDTH,
      height: PLOT_HEIGHT,
      transform: [
        { aggregate: [{ op: 'count', as: 'xy_count' }], groupby: [Y, X] },
        { impute: 'xy_count', groupby: ['rev', ...extra, Y], key: X, value: 0 },
        { impute: 'xy_count', groupby: ['rev', ...extra, X], key: Y, value: 0 },
        normalized
          ? { joinaggregate: [{ op: 'sum', field: 'xy_count', as: 'sum_y' }], groupby: [Y] }
          : { joinaggregate: [{ op: 'max', field: 'xy_count', as: 'max_count' }], groupby: [] },
        normalized
          ? { calculate: 'datum.xy_count / datum.sum_y', as: 'percent_of_y' }
          : { calculate: 'datum.xy_count / datum.max_count', as: 'percent_of_max' },
      ],
      encoding: {
        x: { field: X, type: 'nominal', sort: 'ascending', title: input.xLabel },
        y: { field: Y, type: 'nominal', sort: 'ascending', title: input.yLabel },
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: {
              field: value,
              type: 'quantitative',
              title: '',
              scale: normalized ? { domain: [0, 1] } : { domainMin: 0, nice: true },
            },
          },
        },
        {
          mark: 'text',
          encoding: {
            text: { field: value, type: 'quantitative', ...(normalized ? { format: '.2f' } : {}) },
            color: {
              condition: { test: normalized ? 'datum.percent_of_y > 0.5' : 'datum.percent_of_max > 0.5', value: 'white' },
              value: 'black',
            },
          },
        },
      ],
    },
  };
}

function barSpec(input: SpecInput, a: Anchors): VegaLiteSpec {
  return {
    ...header(input),
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    mark: { type: 'bar' },
    encoding: {
      x: quant(input.x, input.xLabel, false),
      y: {
        field: escapeField(input.y),
        type: 'nominal',
        title: input.yLabel,
        ...(input.template === 'bar_horizontal_sorted' ? { sort: '-x' } : {}),
      },
      yOffset: { field: 'rev', sort: [] },
      color: a.color,
      ...(a.seriesField ? { column: { field: a.seriesField } } : {}),
    },
  };
}

/** The Vega-Lite spec of one plot. Mutates `input.values` only to add derived fields (series key, jitter). */
export function buildSpec(input: SpecInput): VegaLiteSpec {
  const a = anchors(input);
  switch (input.template) {
    case 'simple':
    case 'linear':
    case 'smooth':
      return lineSpec(input, a);
    case 'scatter':
    case 'scatter_jitter':
      return scatterSpec(input, a);
    case 'confusion':
    case 'confusion_normalized':
      return confusionSpec(input, a);
    case 'bar_horizontal':
    case 'bar_horizontal_sorted':
      return barSpec(input, a);
  }
}

/**
 * A user's own template (DVC: `template: <name or path>`, found in .dvc/plots/ or relative to the repo):
 * a Vega-Lite JSON whose string values `<DVC_METRIC_*>` are anchors, filled as dvc-render fills them.
 * Interactive anchors get their static equivalents.
 */
export function fillCustomTemplate(content: unknown, input: Omit<SpecInput, 'template'>): VegaLiteSpec {
  const a = anchors({ ...input, template: 'simple' });
  const values: Record<string, unknown> = {
    DATA: input.values,
    TITLE: input.title,
    X: escapeField(input.x),
    Y: escapeField(input.y),
    X_LABEL: input.xLabel,
    Y_LABEL: input.yLabel,
    COLOR: a.color,
    STROKE_DASH: a.strokeDash ?? {},
    SHAPE: a.shape ?? {},
    ROW: a.seriesField ? { field: a.seriesField } : {},
    COLUMN: a.seriesField ? { field: a.seriesField } : {},
    GROUP_BY: a.groupBy,
    GROUP_BY_X: [...a.groupBy, escapeField(input.x)],
    GROUP_BY_Y: [...a.groupBy, escapeField(input.y)],
    PIVOT_FIELD: a.groupBy.map((k) => `datum.${k}`).join(" + '::' + "),
    PLOT_WIDTH: PLOT_WIDTH,
    PLOT_HEIGHT: PLOT_HEIGHT,
    ZOOM_AND_PAN: { name: 'grid', select: 'interval', bind: 'scales' },
  };
  const anchor = /<DVC_METRIC_([A-Z_]+)>/g;
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^<DVC_METRIC_([A-Z_]+)>$/.exec(v);
      if (whole && whole[1]! in values) return values[whole[1]!];
      return v.replace(anchor, (m, name: string) => (typeof values[name] === 'string' ? (values[name] as string) : m));
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(content) as VegaLiteSpec;
}

/** Small seeded PRNG so jittered scatter plots are reproducible. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export { INDEX_FIELD };
