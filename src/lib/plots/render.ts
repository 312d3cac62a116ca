/**
 * Headless rendering: Vega-Lite -> Vega -> SVG (vega's `none` renderer: no canvas, no browser); the
 * SVG -> PNG step is ./raster.ts (in this thread) or ./png-pool.ts (in worker threads).
 */
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { VegaLiteSpec } from './templates.js';

/** Vega-Lite spec -> SVG text. Throws on a spec Vega cannot build (e.g. a bad custom template). */
export async function specToSvg(spec: VegaLiteSpec): Promise<string> {
  const values = (spec.data as { values?: unknown[] } | undefined)?.values;
  const withConfig = {
    ...spec,
    background: 'white',
    // ARIA labels name every point ("x: 1; y: 2; rev: head"): past a few hundred marks they are a third
    // of the SVG's bytes (bench scatter, 872 points: 273 vs 179 KB) and cost the cold render of the
    // bench about 50 ms, and nobody tabs through hundreds of points.
    config: { font: 'sans-serif', ...(values && values.length > 200 ? { aria: false } : {}), ...(spec.config as object | undefined) },
  };
  const vgSpec = compile(withConfig as never).spec;
  withoutTooltips(vgSpec);
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

interface VegaMarks {
  marks?: (VegaMarks & { encode?: Record<string, Record<string, unknown> | undefined> })[];
}

/**
 * Drop the marks' tooltip encodings (DVC's templates ask for `tooltip: {content: 'data'}`): a static
 * SVG has no hover, Vega's SVG output does not carry them, and building one formatted object per
 * point costs as much as drawing it.
 */
function withoutTooltips(spec: VegaMarks): void {
  for (const mark of spec.marks ?? []) {
    for (const set of Object.values(mark.encode ?? {})) if (set) delete set.tooltip;
    withoutTooltips(mark);
  }
}
