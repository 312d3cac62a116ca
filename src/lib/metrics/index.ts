/**
 * Metrics and params of a project at one revision (a snapshot), and the diff of two snapshots in the
 * shape of `dvc metrics diff`: Path, Metric, base, head, Change, with numbers shown to 5 significant
 * digits and `—` where a side has no value.
 *
 * Reading never throws for a bad metrics file: the file's error is kept in the snapshot so that the gate
 * can fail closed on exactly the rules that need it and the report can show what went wrong.
 */
import { isUserError, messageOf, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { type FlatMetrics, type MetricValue, parseMetricsText } from './parse.js';
import { resolveSources, type SourceOptions } from './sources.js';
import { gitTree, resolveRevision, type Tree, workspaceTree } from './tree.js';

export { flatten, parseDataFile, parseJsonTolerant, parseMetricsText, type FlatMetrics, type MetricValue } from './parse.js';
export { filesFromDvcYaml, resolveSources, DVC_YAML, DEFAULT_PARAMS_FILE } from './sources.js';
export { gitTree, normalizePath, resolveRevision, workspaceTree, type Tree } from './tree.js';

export interface FileValues {
  path: string;
  /** Flat key -> value; absent when the file is missing or unreadable. */
  data?: FlatMetrics;
  /** Why the file could not be read (missing, malformed); a UserError carries file and line. */
  error?: UserError;
  missing?: boolean;
}

export interface Snapshot {
  /** `workspace`, a branch name, a sha... shown in table headers. */
  label: string;
  sha?: string;
  metrics: FileValues[];
  params: FileValues[];
}

async function readFiles(tree: Tree, paths: string[]): Promise<FileValues[]> {
  return Promise.all(
    paths.map(async (path): Promise<FileValues> => {
      const where = tree.label === 'workspace' ? path : `${path}@${tree.label}`;
      let text: string | undefined;
      try {
        text = await tree.read(path);
      } catch (e) {
        return { path, error: new UserError(`cannot read ${where}: ${messageOf(e)}`, { file: path }) };
      }
      if (text === undefined) return { path, missing: true, error: new UserError(`${where} does not exist`, { file: path }) };
      try {
        return { path, data: parseMetricsText(text, path) };
      } catch (e) {
        if (isUserError(e)) return { path, error: e };
        return { path, error: new UserError(`cannot parse ${where}: ${messageOf(e)}`, { file: path }) };
      }
    }),
  );
}

/** Read the metrics and params files of a tree (which files: see resolveSources). */
export async function readSnapshot(tree: Tree, opts: SourceOptions = {}): Promise<Snapshot> {
  const sources = await resolveSources(tree, opts);
  const [metrics, params] = await Promise.all([readFiles(tree, sources.metrics), readFiles(tree, sources.params)]);
  return { label: tree.label, sha: tree.sha, metrics, params };
}

/**
 * Snapshot of another revision for a baseline, read with git without a checkout; undefined (with a
 * reason) when the revision cannot be resolved. The file lists come from that revision's own dvc.yaml,
 * unless given explicitly.
 */
export async function readRevisionSnapshot(
  cwd: string,
  ref: string,
  opts: SourceOptions & { label?: string; logger?: Logger } = {},
): Promise<{ snapshot?: Snapshot; reason?: string }> {
  const sha = await resolveRevision(cwd, ref, opts.logger);
  if (!sha) return { reason: `git revision "${ref}" not found (fetch it, e.g. actions/checkout with fetch-depth: 0)` };
  try {
    return { snapshot: await readSnapshot(gitTree(cwd, ref, sha, opts.label ?? ref), opts) };
  } catch (e) {
    // A baseline whose dvc.yaml is broken is no baseline; the head's own errors are reported elsewhere.
    return { reason: `cannot read the project at ${ref}: ${messageOf(e)}` };
  }
}

export function readWorkspaceSnapshot(cwd: string, opts: SourceOptions = {}): Promise<Snapshot> {
  return readSnapshot(workspaceTree(cwd), opts);
}

// ---- diff ------------------------------------------------------------------------------------------

export const MISSING = '—';

export interface DiffRow {
  path: string;
  key: string;
  base?: MetricValue;
  head?: MetricValue;
  /** head - base when both are numbers. */
  change?: number;
}

function same(a: MetricValue | undefined, b: MetricValue | undefined): boolean {
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return true;
  return a === b;
}

/**
 * Rows for every key of every file on either side (files in head order, keys sorted). `all: false` keeps only the keys
 * whose value changed (the default of `dvc metrics diff` / `dvc params diff`).
 */
export function diffValues(base: FileValues[] | undefined, head: FileValues[], opts: { all?: boolean } = {}): DiffRow[] {
  const all = opts.all ?? true;
  const baseByPath = new Map((base ?? []).map((f) => [f.path, f.data ?? {}]));
  const paths = [...new Set([...head.map((f) => f.path), ...(base ?? []).map((f) => f.path)])];
  const headByPath = new Map(head.map((f) => [f.path, f.data ?? {}]));
  const rows: DiffRow[] = [];
  for (const path of paths) {
    const h = headByPath.get(path) ?? {};
    const b = baseByPath.get(path) ?? {};
    // Keys sorted by code point within a file, as `dvc metrics diff` lists them.
    for (const key of [...new Set([...Object.keys(h), ...Object.keys(b)])].sort()) {
      const row: DiffRow = { path, key };
      if (key in b) row.base = b[key];
      if (key in h) row.head = h[key];
      if (typeof row.base === 'number' && typeof row.head === 'number') row.change = row.head - row.base;
      if (!all && same(row.base, row.head) && key in b && key in h) continue;
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Python's `f"{x:.5g}"`: 5 significant digits (what DVC prints in experiment tables; `dvc metrics
 * diff` itself rounds to 5 decimal places, which hides small metrics), integers as they are, `—` for
 * no value.
 */
export function formatValue(v: MetricValue | undefined, precision = 5): string {
  if (v === undefined) return MISSING;
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  return formatNumber(v, precision);
}

export function formatNumber(n: number, precision = 5): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const [mantissa, expText] = n.toExponential(precision - 1).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= precision) {
    return `${strip(mantissa)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return strip(n.toFixed(Math.max(0, precision - 1 - exp)));
}

/** A change column entry: the difference, or `—` when either side is missing or not a number. */
export function formatChange(row: DiffRow, precision = 5): string {
  return row.change === undefined ? MISSING : formatNumber(row.change, precision);
}

/** Errors of a snapshot's files (missing files included when `missing` is true). */
export function snapshotErrors(s: Snapshot, opts: { missing?: boolean } = {}): UserError[] {
  return [...s.metrics, ...s.params].filter((f) => f.error && (opts.missing || !f.missing)).map((f) => f.error!);
}
