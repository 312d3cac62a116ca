/**
 * DVC plots for PR reports and the CLI: definitions -> data per revision -> Vega-Lite (DVC templates)
 * -> SVG -> PNG, plus Mermaid / markdown fallbacks and an HTML fragment.
 *
 * Public API (used by cml-report and `mlops plots`):
 *
 *   const set = await loadPlots({
 *     cwd,                               // repository root
 *     dvcYaml: 'dvc.yaml',               // or a list, or false; default: every dvc.yaml in the work tree
 *     mlopsPlots: config.plots,          // mlops.yml `plots:` (same forms as dvc.yaml)
 *     revs: [{ name: 'base', ref: 'origin/main' }, { name: 'head' }],  // no ref = working tree
 *   });
 *   const rendered = await renderPlots(set);           // RenderedPlot[], one per plot, in order
 *   //   .png (Buffer, 2x) .svg .spec .width/.height    when the chart rendered
 *   //   .images                                        image plots (png/jpg/svg) passed through, per rev
 *   //   .notes[]                                       "missing in base", "downsampled for display", ...
 *   //   .problems[]  {plot, file?, rev?, message}      why this plot (or a revision of it) is not shown
 *   //   .mermaid / .markdownTable / .fallbackMarkdown  GitHub-native fallback (no image hosting)
 *   plotFiles(rendered)        -> [{name: '<slug>.png', content}, ...]  (see ./files.ts)
 *   plotsHtml(rendered)        -> self-contained HTML fragment with inline SVG (see ./html.ts)
 *   hostPlotAssets(...)        -> commit the files to an orphan branch (src/lib/github/assets.ts)
 *
 * Nothing here throws for bad plot data: every per-plot failure becomes a problem on that plot and
 * the other plots still render. Only an unreadable dvc.yaml / mlops.yml `plots:` section throws a
 * UserError (file, line), because then no plot can be trusted.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { PlotEntry } from '../config.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { ConvertError, flatDatapoints, type Converted, type Series } from './convert.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  OutsideRepoError,
  PlotDataError,
  escapesRepo,
  gitRevisionReader,
  parseDataFile,
  toNumber,
  worktreeReader,
  type Datapoint,
  type RevisionReader,
} from './data.js';
import {
  DATA_EXTENSIONS,
  IMAGE_EXTENSIONS,
  isImagePath,
  parseDvcYamlPlots,
  parseTopLevelPlots,
  sourcesOf,
  type PlotDefinition,
} from './definitions.js';
import { SMOOTH_BUCKETS, minMaxBuckets, reduceSeries } from './downsample.js';
import { fallbackFor } from './fallback.js';
import { rasterize } from './png-pool.js';
import { specToSvg } from './render.js';
import {
  DEFAULT_TEMPLATE,
  LINE_TEMPLATES,
  NUMERIC_X,
  NUMERIC_XY,
  TEMPLATES,
  buildSpec,
  fillCustomTemplate,
  isTemplate,
  type TemplateName,
  type VegaLiteSpec,
} from './templates.js';

export { plotFiles, slug, writePlotFiles, type PlotFile } from './files.js';
export { plotsHtml } from './html.js';
export { TEMPLATES, DVC_PALETTE, type TemplateName } from './templates.js';
export type { PlotDefinition } from './definitions.js';
export { worktreeReader, gitRevisionReader, type RevisionReader } from './data.js';
export { startPngWorkers, stopPngWorkers } from './png-pool.js';

export interface RevisionSpec {
  /** Shown in legends and notes: "base", "head", "serving v1.4.0", ... */
  name: string;
  /** A git revision to read with `git show`; omitted = the working tree. */
  ref?: string;
}

export interface LoadPlotsOptions {
  cwd: string;
  dvcYaml?: string | string[] | false;
  mlopsPlots?: PlotEntry[];
  /** Where mlopsPlots came from, for messages and relative paths (default mlops.yml). */
  mlopsFile?: string;
  revs: RevisionSpec[];
  /** Replace the reader of a revision (by name), e.g. for DVC-tracked files pulled elsewhere. */
  readers?: Record<string, RevisionReader>;
  maxFileBytes?: number;
  logger?: Logger;
}

export interface PlotProblem {
  plot: string;
  /** The data (or image) file at fault, repo-relative. */
  file?: string;
  rev?: string;
  /** Where the plot is declared. */
  configFile?: string;
  line?: number;
  message: string;
}

export interface PlotImage {
  rev: string;
  path: string;
  mime: string;
  data: Buffer;
  /** SVG images also as PNG: GitHub serves repository SVGs as text, so comments link the PNG. */
  png?: Buffer;
}

export interface LoadedPlot {
  id: string;
  title: string;
  kind: 'vega' | 'image';
  definition: PlotDefinition;
  /** Per revision that has any of the plot's files: parsed content by repo-relative path. */
  data: { rev: string; files: Map<string, unknown> }[];
  images: PlotImage[];
  /** A user template (non built-in `template:`), read from .dvc/plots/ or the repo. */
  customTemplate?: { path: string; content: unknown };
  notes: string[];
  problems: PlotProblem[];
}

export interface PlotSet {
  revs: string[];
  plots: LoadedPlot[];
}

export interface RenderedPlot {
  id: string;
  title: string;
  kind: 'vega' | 'image';
  template?: string;
  /** PNG at 2x of the SVG size; absent when the plot could not be rendered (see problems). */
  png?: Buffer;
  width?: number;
  height?: number;
  svg?: string;
  spec?: VegaLiteSpec;
  images: PlotImage[];
  notes: string[];
  problems: PlotProblem[];
  mermaid?: string;
  markdownTable?: string;
  fallbackMarkdown?: string;
}

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };

/**
 * Every dvc.yaml of the working tree, as DVC collects plots from all of them: the files git knows or
 * would track (gitignored ones skipped), root first. Outside a git work tree: the root dvc.yaml.
 */
async function discoverDvcYamls(cwd: string): Promise<string[]> {
  const res = await new Promise<{ code: number; out: string }>((resolve) => {
    const child = spawn('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'dvc.yaml', '**/dvc.yaml'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', () => resolve({ code: 1, out: '' }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
  if (res.code !== 0) return existsSync(join(cwd, 'dvc.yaml')) ? ['dvc.yaml'] : [];
  const files = [...new Set(res.out.split('\0').filter(Boolean))].filter((f) => existsSync(join(cwd, f)));
  return files.sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}

async function plotDefinitions(opts: LoadPlotsOptions): Promise<PlotDefinition[]> {
  const defs: PlotDefinition[] = [];
  const dvcFiles = opts.dvcYaml === false ? [] : opts.dvcYaml === undefined ? await discoverDvcYamls(opts.cwd) : [opts.dvcYaml].flat();
  for (const f of dvcFiles) {
    const full = join(opts.cwd, f);
    if (!existsSync(full)) {
      if (opts.dvcYaml !== undefined) opts.logger?.warning(`${f} not found; no DVC plots read from it`, { file: f });
      continue;
    }
    defs.push(...parseDvcYamlPlots(readFileSync(full, 'utf8'), f));
  }
  if (opts.mlopsPlots?.length) defs.push(...parseTopLevelPlots(opts.mlopsPlots, opts.mlopsFile ?? 'mlops.yml'));
  // The same id declared twice (top level and on a stage out, or in both files): DVC merges the
  // properties into one plot, later keys winning.
  const byId = new Map<string, PlotDefinition>();
  for (const d of defs) {
    const prev = byId.get(d.id);
    if (prev && prev.kind === d.kind) prev.props = { ...prev.props, ...d.props };
    else if (!prev) byId.set(d.id, { ...d, props: { ...d.props } });
  }
  return [...byId.values()];
}

function readersFor(opts: LoadPlotsOptions): { name: string; reader: RevisionReader }[] {
  return opts.revs.map((r) => ({
    name: r.name,
    reader: memoized(opts.readers?.[r.name] ?? (r.ref ? gitRevisionReader(opts.cwd, r.ref) : worktreeReader(opts.cwd))),
  }));
}

/**
 * One answer per path for the duration of a loadPlots call, so that every file can be asked for up
 * front, all at once (the git reader batches what is asked together), and then taken in order.
 */
function memoized(reader: RevisionReader): RevisionReader {
  const cache = { read: new Map<string, Promise<Buffer | undefined>>(), size: new Map<string, Promise<number | undefined>>(), list: new Map<string, Promise<string[] | undefined>>() };
  const memo = <T,>(kind: keyof typeof cache, path: string, get: () => Promise<T>): Promise<T> => {
    const map = cache[kind] as Map<string, Promise<T>>;
    let p = map.get(path);
    if (!p) map.set(path, (p = get()));
    return p;
  };
  return {
    read: (path) => memo('read', path, () => reader.read(path)),
    size: (path) => memo('size', path, () => reader.size(path)),
    list: (path) => memo('list', path, () => reader.list(path)),
  };
}

/** Ask every reader for `paths` at once (contents too when `maxBytes` is given); answers land in the memo. */
function prefetch(readers: { reader: RevisionReader }[], paths: string[], maxBytes?: number): Promise<unknown> {
  return Promise.all(
    readers.flatMap(({ reader }) =>
      paths.map((path) =>
        reader
          .size(path)
          .then((size) => (maxBytes !== undefined && size !== undefined && size <= maxBytes ? reader.read(path) : undefined))
          // The ordered pass that follows asks again and reports the failure where it belongs.
          .catch(() => undefined),
      ),
    ),
  );
}

const isPlotFile = (p: string) =>
  isImagePath(p) || (DATA_EXTENSIONS as readonly string[]).includes(posix.extname(p).toLowerCase());

/** Is `parent` the path itself or a directory above it? */
const isParent = (parent: string, p: string) => p === parent || p.startsWith(`${parent}/`);

/** Path plots may name directories: each data / image file in one becomes its own plot (as in DVC). */
async function expand(
  defs: PlotDefinition[],
  readers: { name: string; reader: RevisionReader }[],
): Promise<{ defs: PlotDefinition[]; missing: { def: PlotDefinition; reason?: string }[] }> {
  const pathIds = defs.filter((d) => d.kind === 'path').map((d) => d.id);
  await prefetch(readers, pathIds.filter((id) => !escapesRepo(id)));
  const out: PlotDefinition[] = [];
  const missing: { def: PlotDefinition; reason?: string }[] = [];
  for (const def of defs) {
    const outside = sourcesOf(def).find(escapesRepo);
    if (outside) {
      missing.push({ def, reason: `${outside} is outside the repository; plot paths must stay inside it` });
      continue;
    }
    if (def.kind === 'mapped') {
      out.push(def);
      continue;
    }
    let isFile = false;
    const files: string[] = [];
    try {
      for (const { reader } of readers) {
        if ((await reader.size(def.id)) !== undefined) {
          isFile = true;
          break;
        }
        for (const f of (await reader.list(def.id)) ?? []) if (!files.includes(f)) files.push(f);
      }
    } catch (e) {
      if (!(e instanceof OutsideRepoError)) throw e;
      missing.push({ def, reason: e.message });
      continue;
    }
    if (isFile || (!files.length && isPlotFile(def.id))) {
      if (isFile) out.push(def);
      else missing.push({ def });
      continue;
    }
    if (!files.length) {
      missing.push({ def });
      continue;
    }
    for (const f of files.sort()) {
      if (!isPlotFile(f)) continue;
      // The closest declared parent owns the file (a file declared on its own keeps its own props).
      const owner = pathIds.filter((id) => isParent(id, f)).sort((a, b) => b.length - a.length)[0];
      if (owner !== def.id || defs.some((d) => d.id === f && d !== def)) continue;
      out.push({ ...def, id: f, props: { ...def.props } });
    }
  }
  return { defs: out, missing };
}

/** DVC's `_find_template`: `.dvc/plots/<name>[.json]`, then `<name>` as a repo path. */
function findCustomTemplate(cwd: string, name: string): string | undefined {
  for (const p of [posix.join('.dvc/plots', name), posix.join('.dvc/plots', `${name}.json`), name]) {
    if (!p.startsWith('..') && existsSync(join(cwd, p)) && statSync(join(cwd, p)).isFile()) return p;
  }
  return undefined;
}

/** Read definitions and every revision's data files. Never throws for data problems. */
export async function loadPlots(opts: LoadPlotsOptions): Promise<PlotSet> {
  const log = opts.logger ?? silentLogger;
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const readers = readersFor(opts);
  const revNames = readers.map((r) => r.name);
  const declared = await plotDefinitions(opts);
  const { defs, missing } = await expand(declared, readers);
  const plots: LoadedPlot[] = [];
  // Not awaited: the ordered loop below awaits each answer where it needs it.
  void prefetch(readers, [...new Set(defs.flatMap(sourcesOf))].filter((f) => !escapesRepo(f)), maxBytes);

  for (const { def, reason } of missing) {
    plots.push({
      id: def.id,
      title: def.props.title ?? def.id,
      kind: isImagePath(def.id) ? 'image' : 'vega',
      definition: def,
      data: [],
      images: [],
      notes: [],
      problems: [
        { plot: def.id, file: def.id, configFile: def.configFile, line: def.line, message: reason ?? `${def.id} not found in ${revNames.join(', ')}` },
      ],
    });
  }

  for (const def of defs) {
    const image = def.kind === 'path' && isImagePath(def.id);
    const plot: LoadedPlot = {
      id: def.id,
      title: def.props.title ?? def.id,
      kind: image ? 'image' : 'vega',
      definition: def,
      data: [],
      images: [],
      notes: [],
      problems: [],
    };
    const problem = (message: string, extra: Partial<PlotProblem> = {}) =>
      plot.problems.push({ plot: def.id, configFile: def.configFile, line: def.line, message, ...extra });
    const sources = sourcesOf(def);
    const absent: Record<string, string[]> = {};

    for (const { name: rev, reader } of readers) {
      const files = new Map<string, unknown>();
      for (const file of sources) {
        try {
          const size = await reader.size(file);
          if (size === undefined) {
            (absent[file] ??= []).push(rev);
            continue;
          }
          if (size > maxBytes) {
            problem(`${file} is ${(size / 1048576).toFixed(1)} MB in ${rev}, over the ${(maxBytes / 1048576).toFixed(0)} MB limit for plot data; plot a summary (fewer points) instead`, { file, rev });
            continue;
          }
          const buf = await reader.read(file);
          if (!buf) {
            (absent[file] ??= []).push(rev);
            continue;
          }
          if (image) plot.images.push({ rev, path: file, mime: MIME[posix.extname(file).toLowerCase()] ?? 'application/octet-stream', data: buf });
          else files.set(file, parseDataFile(file, buf, { header: def.props.header }));
        } catch (e) {
          const message = e instanceof PlotDataError ? e.message : `cannot read ${file} in ${rev}: ${messageOf(e)}`;
          problem(message, { file, rev });
        }
      }
      if (files.size) plot.data.push({ rev, files });
    }

    const template = def.props.template;
    if (!image && template && !isTemplate(template)) {
      const found = findCustomTemplate(opts.cwd, template);
      if (found) {
        try {
          plot.customTemplate = { path: found, content: JSON.parse(readFileSync(join(opts.cwd, found), 'utf8')) };
        } catch (e) {
          problem(`template ${found} is not valid JSON: ${messageOf(e)}`, { file: found });
        }
      }
    }

    for (const [file, revs] of Object.entries(absent)) {
      if (revs.length === readers.length) problem(`${file} not found in ${revs.join(', ')}`, { file });
      else plot.notes.push(`${file} is missing in ${revs.join(', ')}; showing ${revNames.filter((r) => !revs.includes(r)).join(', ')} only`);
    }
    if (plot.problems.length) log.debug(`plot ${def.id}: ${plot.problems.map((p) => p.message).join('; ')}`);
    plots.push(plot);
  }
  // Keep the declaration order of the config files; missing ones were collected first.
  const order = new Map<string, number>();
  declared.forEach((d, i) => order.set(d.id, i));
  const rank = (p: LoadedPlot) => {
    for (const [id, i] of order) if (isParent(id, p.id)) return i;
    return order.size;
  };
  plots.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { revs: revNames, plots };
}

const nonNumeric = (field: string, v: unknown, s: Series, rev: string, template: string) =>
  `field "${field}" has the non-numeric value ${JSON.stringify(v)} (in ${s.filename}, ${rev}); template "${template}" needs numbers on this axis — use a categorical template (bar_horizontal, confusion, scatter_jitter) or a numeric field`;

/** A numeric column of a series: NaN where the value is missing; throws the message on a non-number. */
function numericColumn(s: Series, get: (i: number) => unknown, field: string, rev: string, template: string): Float64Array {
  const col = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = get(i);
    if (v === undefined || v === null || v === '') {
      col[i] = NaN;
      continue;
    }
    const n = toNumber(v);
    if (n === undefined) throw new ConvertError(nonNumeric(field, v, s, rev, template), s.file);
    col[i] = n;
  }
  return col;
}

/**
 * The values a chart draws, one revision after another: numbers where the template needs numbers
 * (checked: a word on a numeric axis is a problem, not a silently empty chart), and long line / scatter
 * series reduced for display with a note. For `smooth`, when a series was reduced, `smooth` holds the
 * loess input: fewer min/max points for the reduced series, the drawn points for the others.
 */
function chartValues(
  converted: { rev: string; c: Converted }[],
  template: TemplateName | undefined,
  templateName: string,
  notes: string[],
): { values: Datapoint[]; smooth?: Datapoint[] } {
  const values: Datapoint[] = [];
  const smooth: Datapoint[] = [];
  let reducedSmooth = false;
  const numX = !!template && ((NUMERIC_XY as readonly string[]).includes(template) || (NUMERIC_X as readonly string[]).includes(template));
  const numY = !!template && (NUMERIC_XY as readonly string[]).includes(template);
  const kind = template && (LINE_TEMPLATES as readonly string[]).includes(template) ? 'line' : template === 'scatter' ? 'scatter' : undefined;
  for (const { rev, c } of converted) {
    for (const s of c.series) {
      const xs = numX ? numericColumn(s, s.x, c.x, rev, templateName) : undefined;
      const ys = numY ? numericColumn(s, s.y, c.y, rev, templateName) : undefined;
      const point = (i: number) => {
        const p = s.point(i);
        if (xs) p[c.x] = xs[i];
        if (ys) p[c.y] = ys[i];
        return p;
      };
      let idx: number[] = [];
      // v === v: not NaN (cheaper than a call in code V8 has not optimised yet)
      for (let i = 0; i < s.length; i++) if ((!xs || xs[i] === xs[i]) && (!ys || ys[i] === ys[i])) idx.push(i);
      let smoothIdx: number[] | undefined;
      if (kind && xs && ys) {
        const kept = reduceSeries(xs, ys, idx, kind);
        if (kept.length < idx.length) {
          if (template === 'smooth') smoothIdx = minMaxBuckets(xs, ys, idx, SMOOTH_BUCKETS);
          notes.push(
            `${rev} · ${s.filename} · ${s.field}: ${idx.length.toLocaleString('en-US')} points shown as ${kept.length.toLocaleString('en-US')} for display (${kind === 'line' ? 'min/max per x bucket, shape kept' : 'one point per grid cell'}${smoothIdx ? `; smoothed over ${smoothIdx.length.toLocaleString('en-US')} min/max points` : ''})`,
          );
        }
        idx = kept;
      }
      for (const i of idx) values.push(point(i));
      if (template === 'smooth') {
        reducedSmooth ||= !!smoothIdx;
        // Own objects: Vega tags every datum of a data set, so two data sets must not share one.
        for (const i of smoothIdx ?? idx) smooth.push(point(i));
      }
    }
  }
  return reducedSmooth ? { values, smooth } : { values };
}

export interface RenderOptions {
  /** Produce PNGs (default true); SVG is always produced. */
  png?: boolean;
  /** Produce the Mermaid / markdown fallbacks (default true). */
  fallbacks?: boolean;
  logger?: Logger;
}

/**
 * One chart: data -> spec -> SVG here; the PNG is made in a worker when there is one, so its promise
 * goes to `later` (which fills in png / width / height, or the problem) and the next chart can start.
 */
async function renderVega(plot: LoadedPlot, revs: string[], opts: RenderOptions, later: Promise<void>[]): Promise<RenderedPlot> {
  const def = plot.definition;
  const out: RenderedPlot = { id: plot.id, title: plot.title, kind: 'vega', images: [], notes: [...plot.notes], problems: [...plot.problems] };
  const problem = (message: string, extra: Partial<PlotProblem> = {}) =>
    out.problems.push({ plot: plot.id, configFile: def.configFile, line: def.line, message, ...extra });
  const templateName = def.props.template ?? DEFAULT_TEMPLATE;
  out.template = templateName;
  if (!isTemplate(templateName) && !plot.customTemplate) {
    if (!out.problems.length) {
      problem(`unknown template "${templateName}" (built-in templates: ${TEMPLATES.join(', ')}; or a JSON template in .dvc/plots/)`);
    }
    return out;
  }
  // Custom templates get DVC's data as is: no numeric checks, no downsampling, no native fallback.
  const template: TemplateName | undefined = isTemplate(templateName) ? templateName : undefined;
  if (!plot.data.length) return out;
  // A file over the size limit or unparsable in one revision must not be silently shown for the others.
  if (out.problems.length) return out;

  const converted: { rev: string; c: Converted }[] = [];
  for (const { rev, files } of plot.data) {
    try {
      converted.push({ rev, c: flatDatapoints(def.kind === 'path' ? { ...def, id: plot.id } : def, rev, files) });
    } catch (e) {
      if (e instanceof ConvertError) problem(e.message, { file: e.file, rev });
      else throw e;
    }
  }
  if (out.problems.length || !converted.length) return out;
  const first = converted[0]!.c;
  const yDefs = [...new Map(converted.flatMap(({ c }) => c.yDefs).map((d) => [`${d.filename}\u0000${d.field}`, d])).values()];
  let shown: Datapoint[];
  let smoothValues: Datapoint[] | undefined;
  try {
    ({ values: shown, smooth: smoothValues } = chartValues(converted, template, templateName, out.notes));
  } catch (e) {
    if (!(e instanceof ConvertError)) throw e;
    problem(e.message, { file: e.file });
    return out;
  }
  const shownRevs = revs.filter((r) => shown.some((d) => d.rev === r));

  const input = { title: plot.title, x: first.x, y: first.y, xLabel: first.xLabel, yLabel: first.yLabel, revs: shownRevs, values: shown, yDefs };
  const spec = template ? buildSpec({ ...input, template, smoothValues }) : fillCustomTemplate(plot.customTemplate!.content, input);
  out.spec = spec;
  const failed = (e: unknown): void => void problem(`rendering failed: ${messageOf(e)}`);
  try {
    out.svg = await specToSvg(spec);
    if (opts.png !== false) {
      later.push(
        rasterize(out.svg).then((png) => {
          out.png = png.data;
          out.width = png.width;
          out.height = png.height;
        }, failed),
      );
    }
  } catch (e) {
    failed(e);
  }

  const fb = template && opts.fallbacks !== false && fallbackFor({ template, title: plot.title, x: first.x, y: first.y, xLabel: first.xLabel, yLabel: first.yLabel, revs: shownRevs, values: shown });
  if (fb) {
    out.mermaid = fb.mermaid;
    out.markdownTable = fb.markdownTable;
    out.fallbackMarkdown = fb.markdown;
  }
  return out;
}

/** Render every plot of a set; one result per plot, in order. Per-plot failures land in `problems`. */
export async function renderPlots(set: PlotSet, opts: RenderOptions = {}): Promise<RenderedPlot[]> {
  const results: RenderedPlot[] = new Array<RenderedPlot>(set.plots.length);
  const later: Promise<void>[] = [];
  // Charts are laid out here while their PNGs are made in a worker, so the last one laid out is the
  // one whose PNG is waited for: scatter charts (a path per point, the slowest to rasterise) go first.
  const slow = (p: LoadedPlot) => p.kind === 'vega' && ['scatter', 'scatter_jitter'].includes(p.definition.props.template ?? DEFAULT_TEMPLATE);
  const order = set.plots.map((_, i) => i).sort((a, b) => Number(slow(set.plots[b]!)) - Number(slow(set.plots[a]!)) || a - b);
  for (const index of order) {
    const plot = set.plots[index]!;
    if (plot.kind === 'image') {
      const out: RenderedPlot = { id: plot.id, title: plot.title, kind: 'image', images: plot.images, notes: [...plot.notes], problems: [...plot.problems] };
      const svgs = opts.png === false ? [] : plot.images.filter((img) => img.mime === 'image/svg+xml');
      const pngs = svgs.map((img) => rasterize(img.data.toString('utf8'), 1));
      later.push(
        Promise.allSettled(pngs).then((settled) =>
          settled.forEach((r, i) => {
            const img = svgs[i]!;
            if (r.status === 'fulfilled') img.png = r.value.data;
            else out.notes.push(`${img.path} (${img.rev}) could not be converted to PNG: ${messageOf(r.reason)}`);
          }),
        ),
      );
      results[index] = out;
      continue;
    }
    try {
      results[index] = await renderVega(plot, set.revs, opts, later);
    } catch (e) {
      results[index] = {
        id: plot.id,
        title: plot.title,
        kind: 'vega',
        images: [],
        notes: [...plot.notes],
        problems: [...plot.problems, { plot: plot.id, configFile: plot.definition.configFile, line: plot.definition.line, message: `rendering failed: ${messageOf(e)}` }],
      };
    }
  }
  await Promise.all(later);
  return results;
}

/** `plot: file (rev): message`, the line used in annotations and reports. */
export function describeProblem(p: PlotProblem): string {
  const where = p.file && p.file !== p.plot ? ` ${p.file}` : '';
  return `plot "${p.plot}"${where}${p.rev ? ` (${p.rev})` : ''}: ${p.message}`;
}

export { IMAGE_EXTENSIONS };
