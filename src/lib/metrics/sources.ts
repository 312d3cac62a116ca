/**
 * Which files hold metrics and params, as DVC decides it: dvc.yaml top-level `metrics:` / `params:`,
 * stage outs declared under `metrics:`, and files named in stage `params:` (params.yaml by default).
 * An explicit list (mlops.yml `metrics:`/`params:` or an action input) replaces the dvc.yaml lookup.
 * Every dvc.yaml of the project counts (a monorepo has one per folder); paths in a dvc.yaml are
 * relative to its folder (and a stage's `wdir`); a directory stands for the metrics files inside it.
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import { parseYaml } from '../yaml.js';
import { normalizePath, type Tree } from './tree.js';

export const DVC_YAML = 'dvc.yaml';
export const DEFAULT_PARAMS_FILE = 'params.yaml';
const DATA_EXT = /\.(json|ya?ml|toml)$/i;

export interface DvcYamlFiles {
  metrics: string[];
  params: string[];
}

/** Paths named by a dvc.yaml text (relative to the dvc.yaml folder `dir`). */
export function filesFromDvcYaml(text: string, file = DVC_YAML, dir = ''): DvcYamlFiles {
  const doc = parseYaml<Record<string, unknown> | null>(text, file).value ?? {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserError('expected a mapping at the top level', { file, line: 1 });
  const metrics: string[] = [];
  const params: string[] = [];
  const at = (base: string, p: string) => normalizePath(posix.join(dir, base, p));
  const names = (list: unknown): string[] =>
    Array.isArray(list) ? list.flatMap((e) => (typeof e === 'string' ? [e] : e && typeof e === 'object' ? Object.keys(e) : [])) : [];

  metrics.push(...names(doc.metrics).map((p) => at('', p)));
  params.push(...names(doc.params).map((p) => at('', p)));
  const stages = doc.stages && typeof doc.stages === 'object' ? (doc.stages as Record<string, unknown>) : {};
  for (const stage of Object.values(stages)) {
    if (!stage || typeof stage !== 'object') continue;
    const s = stage as Record<string, unknown>;
    const wdir = typeof s.wdir === 'string' ? s.wdir : '';
    metrics.push(...names(s.metrics).map((p) => at(wdir, p)));
    // Stage params: bare keys come from params.yaml; `{file: [keys]}` entries name other files.
    if (Array.isArray(s.params)) {
      for (const e of s.params) {
        if (typeof e === 'string') params.push(at(wdir, DEFAULT_PARAMS_FILE));
        else if (e && typeof e === 'object') params.push(...Object.keys(e).map((p) => at(wdir, p)));
      }
    }
  }
  return { metrics: unique(metrics), params: unique(params) };
}

function unique(list: string[]): string[] {
  return [...new Set(list.filter(Boolean))];
}

/** Expand directories into the data files they hold; plain paths pass through even when absent. */
async function expand(tree: Tree, paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const files = await tree.listDir(p);
    if (files) out.push(...files.filter((f) => DATA_EXT.test(f)));
    else out.push(p);
  }
  return unique(out.map(normalizePath));
}

export interface SourceOptions {
  /** Explicit metrics files (input or mlops.yml); replaces dvc.yaml. */
  metrics?: string[];
  /** Explicit params files; replaces dvc.yaml and the params.yaml default. */
  params?: string[];
}

/** The metrics and params files of a tree. A malformed dvc.yaml is a UserError with file and line. */
export async function resolveSources(tree: Tree, opts: SourceOptions = {}): Promise<DvcYamlFiles> {
  const fromDvc: DvcYamlFiles = { metrics: [], params: [] };
  if (!opts.metrics?.length || !opts.params?.length) {
    // DVC reads every dvc.yaml of the project, each relative to its own folder.
    for (const file of await tree.findNamed(DVC_YAML)) {
      const text = await tree.read(file);
      if (text === undefined) continue;
      const found = filesFromDvcYaml(text, tree.label === 'workspace' ? file : `${file}@${tree.label}`, posix.dirname(file) === '.' ? '' : posix.dirname(file));
      fromDvc.metrics.push(...found.metrics);
      fromDvc.params.push(...found.params);
    }
  }
  const metrics = opts.metrics?.length ? opts.metrics.map(normalizePath) : unique(fromDvc.metrics);
  let params = opts.params?.length ? opts.params.map(normalizePath) : unique(fromDvc.params);
  if (!opts.params?.length && params.length === 0 && (await tree.read(DEFAULT_PARAMS_FILE)) !== undefined) params = [DEFAULT_PARAMS_FILE];
  return { metrics: await expand(tree, metrics), params: await expand(tree, params) };
}
