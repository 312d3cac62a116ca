/**
 * The plots section of the report, from src/lib/plots: charts of the head and the baseline revisions
 * overlaid. In the HTML report every chart is inline SVG. In the PR comment a chart is an image when
 * the PNGs could be hosted (`image-host: branch`, through a host function), else GitHub-native
 * fallbacks (Mermaid xychart / markdown table) with a note saying why.
 */
import type { MlopsConfig } from '../config.js';
import { isUserError, messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { describeProblem, loadPlots, plotFiles, plotsHtml, renderPlots, startPngWorkers, writePlotFiles, type PlotFile, type RenderedPlot, type RevisionSpec } from '../plots/index.js';
import type { Block, ReportSection } from './render.js';

/** Publishes plot files somewhere GitHub can show them; returns file name -> absolute URL. */
export type PlotHost = (files: PlotFile[]) => Promise<Map<string, string>>;

export interface PlotsSectionOptions {
  cwd: string;
  config?: MlopsConfig;
  revs: RevisionSpec[];
  /** Undefined = no image hosting (fallbacks in the comment). */
  host?: PlotHost;
  /** Why there is no host, said once in the comment. */
  noHostReason?: string;
  logger?: Logger;
  /** Also write every PNG/SVG here (next to report.md), whatever the hosting. */
  outDir?: string;
}

export interface PlotsSection {
  section?: ReportSection;
  rendered: RenderedPlot[];
  files: PlotFile[];
}

const esc = (s: string) => s.replace(/[[\]]/g, '');

function commentMarkdown(rendered: RenderedPlot[], urls: Map<string, string>, files: PlotFile[], noHostNote?: string): string {
  const parts: string[] = [];
  if (noHostNote) parts.push(`> [!NOTE]\n> ${noHostNote}`);
  for (const p of rendered) {
    const mine = files.filter((f) => f.plotId === p.id);
    const png = mine.find((f) => f.role === 'png');
    const lines: string[] = [`#### ${p.title}`];
    if (png && urls.has(png.name)) lines.push(`![${esc(p.title)}](${urls.get(png.name)})`);
    else if (p.kind === 'image') {
      const imgs = mine.filter((f) => f.role === 'image' && urls.has(f.name));
      if (imgs.length) lines.push(imgs.map((f) => `![${esc(`${p.title} (${f.rev})`)}](${urls.get(f.name)})`).join(' '));
      else lines.push('_Image plot: not shown without image hosting; see the HTML report._');
    } else if (p.fallbackMarkdown) lines.push(p.fallbackMarkdown);
    else if (p.svg) lines.push('_No GitHub-native form for this chart; see the HTML report._');
    for (const q of p.problems) lines.push(`> ⚠️ ${describeProblem(q)}`);
    for (const n of p.notes) lines.push(`<sub>${n}</sub>`);
    parts.push(lines.join('\n\n'));
  }
  return parts.join('\n\n');
}

/** Load, render and (optionally) host the plots; a section is returned only when there are plots. */
export async function buildPlotsSection(o: PlotsSectionOptions): Promise<PlotsSection> {
  let rendered: RenderedPlot[];
  const png = Boolean(o.host || o.outDir);
  // The PNG workers load the renderer while this thread reads the data and lays out the charts.
  if (png) startPngWorkers();
  try {
    const set = await loadPlots({ cwd: o.cwd, mlopsPlots: o.config?.plots, revs: o.revs, logger: o.logger });
    if (set.plots.length === 0) return { rendered: [], files: [] };
    rendered = await renderPlots(set, { png, logger: o.logger });
  } catch (e) {
    // A broken plots config must not take the metric tables down with it: report it in the section.
    const message = isUserError(e) && e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}` : messageOf(e);
    o.logger?.warning(`plots: ${message}`, isUserError(e) ? { file: e.file, line: e.line } : undefined);
    return { rendered: [], files: [], section: { id: 'plots', title: 'Plots', blocks: [{ kind: 'text', text: `⚠️ Plots could not be read: ${message}` }] } };
  }
  const files = plotFiles(rendered);
  // On disk too, so a job without image hosting (fork PRs, image-host: none) can upload-artifact them.
  if (o.outDir && files.length) writePlotFiles(o.outDir, files);
  let urls = new Map<string, string>();
  let note = o.host ? undefined : o.noHostReason;
  if (o.host) {
    try {
      urls = await o.host(files.filter((f) => f.role !== 'svg'));
    } catch (e) {
      note = `Plot images could not be hosted (${messageOf(e)}); showing GitHub-native charts instead.`;
      o.logger?.warning(note);
    }
  }
  const block: Block = { kind: 'raw', markdown: commentMarkdown(rendered, urls, files, note), html: plotsHtml(rendered) };
  return { rendered, files, section: { id: 'plots', title: 'Plots', blocks: [block] } };
}
