/**
 * DVC's VegaConverter (`flat_datapoints`) in TypeScript: from a plot's properties and the parsed data
 * files of one revision to the datapoints a template renders, each tagged with `rev`, `filename` and
 * `field`, plus the resolved x / y field names and axis labels.
 */
import type { Datapoint } from './data.js';
import { inferY, toDatapoints } from './data.js';
import type { PlotDefinition } from './definitions.js';

export const INDEX_FIELD = 'step';
export const INFERRED_X = 'dvc_inferred_x_value';
export const INFERRED_Y = 'dvc_inferred_y_value';

export class ConvertError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export interface YDef {
  /** Data file, repo-relative. */
  file: string;
  field: string;
}

/**
 * One (file, field) series of one revision, not yet materialised: values are read by index so large
 * series can be checked and reduced before any per-point object is made.
 */
export interface Series {
  file: string;
  filename: string;
  field: string;
  length: number;
  /** The x value of point i (the joined x field, or the index when no x is given). */
  x(i: number): unknown;
  y(i: number): unknown;
  /** Point i as DVC emits it: every field of the record, x / y under the plot's names, rev/filename/field. */
  point(i: number): Datapoint;
}

export interface Converted {
  series: Series[];
  x: string;
  y: string;
  xLabel: string;
  yLabel: string;
  /** One per (file, field) series, with `filename` shortened the way the datapoints carry it. */
  yDefs: { filename: string; field: string; file: string }[];
}

type FieldMap = Record<string, string | string[]>;

function fileFields(map: FieldMap): YDef[] {
  const out: YDef[] = [];
  for (const [file, v] of Object.entries(map)) for (const field of Array.isArray(v) ? v : [v]) out.push({ file, field });
  return out;
}

/** DVC's `_infer_x_y`: turn string / list x and y into {file: field} maps (y inferred from data). */
export function inferXY(def: PlotDefinition, contents: Map<string, unknown>): { x?: FieldMap; y: FieldMap } {
  const { x, y } = def.props;
  let yMap: FieldMap;
  if (y === undefined) {
    const content = contents.get(def.id);
    const inferred = content === undefined ? undefined : inferY(content);
    if (!inferred) throw new ConvertError(`no records found to plot in ${def.id}`, def.id);
    yMap = { [def.id]: inferred };
  } else if (typeof y === 'string' || Array.isArray(y)) yMap = { [def.id]: y };
  else yMap = y;

  let xMap: FieldMap | undefined;
  if (typeof x === 'string') {
    xMap = {};
    if (y && typeof y === 'object' && !Array.isArray(y)) {
      for (const [file, fields] of Object.entries(y)) xMap[file] = Array.isArray(fields) ? fields.map(() => x) : x;
    } else xMap[def.id] = x;
  } else if (x && typeof x === 'object') xMap = x;
  return { x: xMap, y: yMap };
}

function commonDirLength(paths: string[]): number {
  if (paths.length <= 1) return 0;
  const split = paths.map((p) => p.split('/'));
  let n = 0;
  while (split.every((s) => n < s.length - 1 && s[n] === split[0]![n])) n++;
  return n === 0 ? 0 : split[0]!.slice(0, n).join('/').length;
}

function fieldsIn(points: Datapoint[]): string[] {
  const keys = new Set<string>();
  for (const p of points.slice(0, 50)) for (const k of Object.keys(p)) keys.add(k);
  return [...keys];
}

/**
 * Flatten one revision's data for a plot. `contents` maps repo-relative file -> parsed content; files
 * absent from this revision are simply not in the map (the caller notes them).
 */
export function flatDatapoints(def: PlotDefinition, rev: string, contents: Map<string, unknown>): Converted {
  const { x: xMap, y: yMap } = inferXY(def, contents);
  const pointsOf = new Map<string, Datapoint[]>();
  for (const [file, content] of contents) pointsOf.set(file, toDatapoints(content));

  const verify = (file: string, field: string) => {
    const pts = pointsOf.get(file);
    if (!pts) return;
    if (!pts.length) throw new ConvertError(`no records found in ${file}`, file);
    if (!pts.some((p) => field in p)) {
      throw new ConvertError(`field "${field}" not found in ${file} (fields: ${fieldsIn(pts).join(', ')})`, file);
    }
  };
  const xs = xMap ? fileFields(xMap) : [];
  const ys = fileFields(yMap);
  xs.forEach((d) => verify(d.file, d.field));
  ys.forEach((d) => verify(d.file, d.field));

  const xFiles = [...new Set(xs.map((d) => d.file))];
  const xFields = [...new Set(xs.map((d) => d.field))];
  const yFiles = [...new Set(ys.map((d) => d.file))];
  const yFields = [...new Set(ys.map((d) => d.field))];
  if (xFiles.length > 1 && xFiles.length !== yFiles.length) {
    throw new ConvertError(`cannot have a different number of x and y data sources (${xFiles.length} x, ${yFiles.length} y)`);
  }
  const xName = xFields.length > 1 ? INFERRED_X : (xFields[0] ?? INDEX_FIELD);
  const yName = yFields.length > 1 ? INFERRED_Y : yFields[0]!;
  const prefix = commonDirLength(yFiles);
  const short = (f: string) => f.slice(prefix).replace(/^[/\\]+/, '');

  const series: Series[] = [];
  for (const { file: yFile, field: yField } of ys) {
    const source = pointsOf.get(yFile);
    if (!source) continue;
    let xPts: Datapoint[] | undefined;
    let xField: string | undefined;
    if (xs.length) {
      const xFile = xFiles.length > 1 ? yFile : xFiles[0]!;
      xField = xFiles.length > 1 ? xs.find((d) => d.file === yFile)?.field : xFields.length > 1 ? xs.find((d) => d.file === xFile)!.field : xFields[0];
      if (!xField) throw new ConvertError(`no x value found for y data source ${yFile}`, yFile);
      xPts = pointsOf.get(xFile);
      if (!xPts) throw new ConvertError(`x data file ${xFile} is missing`, xFile);
      if (xPts.length !== source.length) {
        throw new ConvertError(`cannot join "${xField}" from ${xFile} and "${yField}" from ${yFile}: they have ${xPts.length} and ${source.length} records`, yFile);
      }
    }
    const filename = short(yFile);
    const xs_ = xPts;
    const xf = xField!;
    series.push({
      file: yFile,
      filename,
      field: yField,
      length: source.length,
      x: xs_ ? (i) => xs_[i]![xf] : (i) => i,
      y: (i) => source[i]![yField],
      point(i) {
        const d = source[i]!;
        // Object.assign, not `{ ...d, rev, ... }`: the same keys in the same order, and several times
        // faster before V8 has optimised this (a cold process makes a few thousand points).
        const p: Datapoint = Object.assign({}, d);
        p.rev = rev;
        p.filename = filename;
        p.field = yField;
        if (yName === INFERRED_Y && yField in d) p[INFERRED_Y] = d[yField];
        if (xs_) {
          if (xf in xs_[i]!) p[xName] = xs_[i]![xf];
        } else p[INDEX_FIELD] = i;
        return p;
      },
    });
  }

  const xLabel = def.props.x_label ?? (xFields.length === 1 ? xFields[0]! : xFields.length > 1 ? 'x' : INDEX_FIELD);
  const yLabel = def.props.y_label ?? (yFields.length === 1 ? yFields[0]! : 'y');
  return {
    series,
    x: xName,
    y: yName,
    xLabel,
    yLabel,
    yDefs: ys.map((d) => ({ file: d.file, field: d.field, filename: short(d.file) })),
  };
}

/** Every point of every series, as DVC's `flat_datapoints` returns them. */
export function allDatapoints(c: Converted): Datapoint[] {
  const out: Datapoint[] = [];
  for (const s of c.series) for (let i = 0; i < s.length; i++) out.push(s.point(i));
  return out;
}

/** Which of filename / field vary across the series (dvc-render's `_collect_variations`). */
export function variedKeys(yDefs: { filename: string; field: string }[]): ('filename' | 'field')[] {
  if (yDefs.length <= 1) return [];
  const match: ('filename' | 'field')[] = [];
  const less: ('filename' | 'field')[] = [];
  for (const key of ['filename', 'field'] as const) {
    const n = new Set(yDefs.map((d) => d[key])).size;
    if (n === 1) continue;
    (n === yDefs.length ? match : less).push(key);
  }
  // Reverse-sorted, as dvc-render does: 'filename' before 'field'.
  const sortRev = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return match.length ? [...match, ...less].sort(sortRev) : less.sort(sortRev);
}
