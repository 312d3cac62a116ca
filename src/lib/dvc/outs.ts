/**
 * Tracked outputs of a DVC repository: `outs:` of every `.dvc` file and of every stage in `dvc.lock`
 * (schema 2.0), with their hashes, and target selection the way `dvc pull <targets>` reads targets.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { UserError } from '../errors.js';
import { git } from '../git/cli.js';
import { parseYaml } from '../yaml.js';
import type { HashMode } from './hash.js';
import { repoRelative } from './paths.js';

export interface Out {
  /** Repo-relative posix path of the file or directory. */
  path: string;
  /** md5 of the file, or of the `.dir` object (without the `.dir` suffix). */
  md5: string;
  isDir: boolean;
  /** `md5` for outs written by DVC 3.x (`hash: md5`), `md5-dos2unix` for DVC 2.x outs (no `hash:`). */
  hashMode: HashMode;
  size?: number;
  nfiles?: number;
  /** Per-out `remote:`, lower-cased. */
  remote?: string;
  /** `isexec: true` (DVC 3.x): the file is placed executable. */
  isexec?: boolean;
  /** The file that declares it (repo-relative) and the line of the out entry, for messages. */
  source: { file: string; line?: number; stage?: string };
}

export interface DvcFileInfo {
  file: string;
  kind: 'dvcfile' | 'lock';
  stages: { name?: string; outs: Out[] }[];
}

const MD5_RE = /^[0-9a-f]{32}$/;

/** Repo-relative posix paths of every `.dvc` file and `dvc.lock`, sorted. */
export async function findDvcFiles(root: string): Promise<string[]> {
  const isDvcFile = (p: string) => p.endsWith('.dvc') || p === 'dvc.lock' || p.endsWith('/dvc.lock');
  // git knows which files are data (ignored) and which are metadata: ask it first, walk otherwise.
  const r = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.dvc', '*dvc.lock'], { cwd: root, allowFail: true }).catch(
    () => undefined,
  );
  let files: string[];
  // ls-files lists paths relative to its cwd and only below it, which is what we want for a DVC repo
  // that lives in a subfolder of a git repository too.
  if (r && r.code === 0) {
    files = r.stdout.split('\0').filter((p) => p && isDvcFile(p) && existsSync(join(root, p)));
  } else {
    files = [];
    walk(root, '', files, isDvcFile);
  }
  return [...new Set(files)].filter((f) => !f.startsWith('.dvc/')).sort();
}

function walk(root: string, rel: string, out: string[], keep: (p: string) => boolean): void {
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name === '.git' || e.name === '.dvc' || e.name === 'node_modules') continue;
      walk(root, p, out, keep);
    } else if (e.isFile() && keep(p)) out.push(p);
  }
}

/** Parse one `.dvc` file or `dvc.lock` (repo-relative path). */
export function readDvcFile(root: string, file: string): DvcFileInfo {
  const text = readFileSync(join(root, file), 'utf8');
  const doc = parseYaml<unknown>(text, file);
  const value = doc.value;
  const dir = posix.dirname(file) === '.' ? '' : posix.dirname(file);
  const fail = (msg: string, path: (string | number)[]) => new UserError(msg, { file, line: doc.lineOf(path) });
  if (!isRecord(value)) throw fail(`expected a YAML mapping`, []);

  if (file.endsWith('.dvc')) {
    const wdir = value.wdir === undefined ? '' : value.wdir;
    if (typeof wdir !== 'string') throw fail('wdir must be a string', ['wdir']);
    const base = resolveBase(dir, wdir, () => fail(`wdir "${wdir}" points outside the repository`, ['wdir']));
    if (!Array.isArray(value.outs)) throw fail('expected an `outs:` list (is this a DVC file?)', ['outs']);
    const outs = parseOuts(value.outs, ['outs'], base, { file }, fail, doc.lineOf);
    return { file, kind: 'dvcfile', stages: [{ outs }] };
  }

  if (value.schema !== '2.0') {
    throw fail(`unsupported dvc.lock schema ${JSON.stringify(value.schema)}; only '2.0' (DVC 2.x and 3.x) is read. Re-run \`dvc repro\` with DVC >= 2 to upgrade it`, ['schema']);
  }
  const stages = value.stages ?? {};
  if (!isRecord(stages)) throw fail('`stages:` must be a mapping of stage name to stage', ['stages']);
  const decls = stageDecls(root, dir);
  const result: DvcFileInfo = { file, kind: 'lock', stages: [] };
  for (const [name, stage] of Object.entries(stages)) {
    if (!isRecord(stage)) throw fail(`stage ${name} must be a mapping`, ['stages', name]);
    const decl = decls.get(name.split('@')[0]!);
    const base = resolveBase(dir, decl?.wdir ?? '', () => fail(`wdir of stage ${name} points outside the repository`, ['stages', name]));
    const listed = stage.outs ?? [];
    if (!Array.isArray(listed)) throw fail(`stage ${name}: outs must be a list`, ['stages', name, 'outs']);
    const outsRaw = (listed as unknown[]).map((o) => {
      if (!isRecord(o) || typeof o.path !== 'string') return o;
      const flags = decl?.outs.get(posix.normalize(o.path));
      return flags ? { ...o, ...(flags.cache === false ? { cache: false } : {}), ...(flags.remote && o.remote === undefined ? { remote: flags.remote } : {}) } : o;
    });
    result.stages.push({ name, outs: parseOuts(outsRaw, ['stages', name, 'outs'], base, { file, stage: name }, fail, doc.lineOf) });
  }
  return result;
}

interface StageDecl {
  wdir?: string;
  /** Per-out flags declared in dvc.yaml (dvc.lock records only hashes), keyed by the out's path as written. */
  outs: Map<string, { cache?: boolean; remote?: string }>;
}

/**
 * What the dvc.yaml next to a dvc.lock says about its stages: `wdir` (lock paths are relative to it)
 * and out flags such as `cache: false` and `remote:` that DVC 3.x keeps only in dvc.yaml.
 */
function stageDecls(root: string, dir: string): Map<string, StageDecl> {
  const map = new Map<string, StageDecl>();
  const file = dir ? `${dir}/dvc.yaml` : 'dvc.yaml';
  if (!existsSync(join(root, file))) return map;
  try {
    const { value } = parseYaml<unknown>(readFileSync(join(root, file), 'utf8'), file);
    if (!isRecord(value) || !isRecord(value.stages)) return map;
    for (const [name, raw] of Object.entries(value.stages)) {
      const stage = isRecord(raw) && isRecord(raw.do) ? raw.do : raw; // foreach/matrix stages keep their body in `do`
      if (!isRecord(stage)) continue;
      const decl: StageDecl = { outs: new Map() };
      if (typeof stage.wdir === 'string' && !stage.wdir.includes('${')) decl.wdir = stage.wdir;
      for (const key of ['outs', 'metrics', 'plots']) {
        const list = stage[key];
        if (!Array.isArray(list)) continue;
        for (const entry of list) {
          if (!isRecord(entry)) continue;
          for (const [path, flags] of Object.entries(entry)) {
            if (!isRecord(flags)) continue;
            decl.outs.set(posix.normalize(path), {
              cache: flags.cache === false ? false : undefined,
              remote: typeof flags.remote === 'string' ? flags.remote : undefined,
            });
          }
        }
      }
      map.set(name, decl);
    }
  } catch {
    // dvc.yaml problems are for the metrics/plots readers to report; the lock alone still tells what to pull
  }
  return map;
}

function resolveBase(dir: string, wdir: string, fail: () => Error): string {
  if (wdir === '' || wdir === '.') return dir;
  const r = repoRelative(dir, wdir);
  if (r.reason === 'is the repository root itself') return '';
  if (!r.path) throw fail();
  return r.path;
}

function parseOuts(
  list: unknown[],
  at: (string | number)[],
  base: string,
  source: { file: string; stage?: string },
  fail: (msg: string, path: (string | number)[]) => UserError,
  lineOf: (path: (string | number)[]) => number | undefined,
): Out[] {
  const outs: Out[] = [];
  list.forEach((raw, i) => {
    const here = [...at, i];
    // dvc.yaml-style shorthand never appears in .dvc/dvc.lock, but a bare string is a clear mistake
    if (!isRecord(raw)) throw fail(`out #${i + 1} must be a mapping with path and md5`, here);
    const label = typeof raw.path === 'string' ? raw.path : `#${i + 1}`;
    if (typeof raw.path !== 'string' || raw.path === '') throw fail(`out ${label}: missing path`, here);
    if (raw.cache === false) return; // not cached by DVC, so nothing to pull
    const r = repoRelative(base, raw.path);
    if (!r.path) throw fail(`out ${raw.path}: path ${r.reason}; refusing to write there`, [...here, 'path']);
    const hashName = raw.hash;
    if (hashName !== undefined && hashName !== 'md5') {
      throw fail(`out ${raw.path}: unsupported hash "${String(hashName)}" (only md5 is supported)`, [...here, 'hash']);
    }
    if (raw.md5 === undefined) {
      // External outs (etag/checksum) and cloud-versioned outs (`files:`) are not in the DVC remote.
      if (raw.etag !== undefined || raw.checksum !== undefined || raw.files !== undefined) return;
      throw fail(`out ${raw.path}: no md5 recorded; run \`dvc commit\` (or \`dvc repro\`) and push again`, here);
    }
    const md5raw = String(raw.md5);
    const isDir = md5raw.endsWith('.dir');
    const md5 = isDir ? md5raw.slice(0, -4) : md5raw;
    if (!MD5_RE.test(md5)) throw fail(`out ${raw.path}: md5 "${md5raw}" is not a 32-digit hex md5`, [...here, 'md5']);
    for (const key of ['size', 'nfiles'] as const) {
      if (raw[key] !== undefined && (typeof raw[key] !== 'number' || !Number.isInteger(raw[key]) || (raw[key] as number) < 0)) {
        throw fail(`out ${raw.path}: ${key} must be a non-negative integer`, [...here, key]);
      }
    }
    if (raw.remote !== undefined && typeof raw.remote !== 'string') throw fail(`out ${raw.path}: remote must be a string`, [...here, 'remote']);
    outs.push({
      path: r.path,
      md5,
      isDir,
      hashMode: hashName === 'md5' ? 'md5' : 'md5-dos2unix',
      size: raw.size as number | undefined,
      nfiles: raw.nfiles as number | undefined,
      remote: typeof raw.remote === 'string' ? raw.remote.toLowerCase() : undefined,
      isexec: raw.isexec === true ? true : undefined,
      source: { ...source, line: lineOf(here) },
    });
  });
  return outs;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What one target selected: whole outs, or some files inside a directory out (granular pull). */
export interface Selection {
  out: Out;
  /** Relpaths inside a directory out to restrict to (a file or a sub-folder prefix); undefined = all. */
  within?: string[];
}

/**
 * Resolve `dvc pull` targets against the outs of `files`: a `.dvc` file, a `dvc.yaml`/`dvc.lock`,
 * `[path/to/dvc.yaml:]stage`, an out path, a path inside a directory out, or a folder holding outs.
 * `targets` are repo-relative. No targets selects every out.
 */
export function selectOuts(files: DvcFileInfo[], targets: string[]): Selection[] {
  const all = files.flatMap((f) => f.stages.flatMap((s) => s.outs));
  if (targets.length === 0) return all.map((out) => ({ out }));
  const chosen = new Map<Out, Selection>();
  const add = (out: Out, within?: string) => {
    const prev = chosen.get(out);
    if (!prev) chosen.set(out, { out, within: within === undefined ? undefined : [within] });
    else if (within === undefined) prev.within = undefined;
    else if (prev.within) prev.within.push(within);
  };

  for (const raw of targets) {
    const target = posix.normalize(raw.replace(/\\/g, '/')).replace(/\/+$/, '').replace(/^\.\//, '');
    const fileMatch = files.find((f) => f.file === target || (f.kind === 'lock' && f.file.replace(/dvc\.lock$/, 'dvc.yaml') === target));
    if (fileMatch) {
      fileMatch.stages.forEach((s) => s.outs.forEach((o) => add(o)));
      continue;
    }
    const stageMatch = findStage(files, target);
    if (stageMatch) {
      stageMatch.forEach((o) => add(o));
      continue;
    }
    let found = false;
    for (const out of all) {
      if (out.path === target || target === '.' || out.path.startsWith(`${target}/`)) {
        add(out);
        found = true;
      } else if (out.isDir && target.startsWith(`${out.path}/`)) {
        add(out, target.slice(out.path.length + 1));
        found = true;
      }
    }
    if (!found) {
      throw new UserError(`target "${raw}" is not a .dvc file, a stage in dvc.lock, or a path tracked by DVC`, { field: 'targets' });
    }
  }
  return [...chosen.values()];
}

function findStage(files: DvcFileInfo[], target: string): Out[] | undefined {
  const colon = target.lastIndexOf(':');
  const [yamlPath, name] = colon >= 0 ? [target.slice(0, colon), target.slice(colon + 1)] : ['dvc.yaml', target];
  const lockFile = yamlPath.replace(/dvc\.yaml$/, 'dvc.lock');
  const lock = files.find((f) => f.kind === 'lock' && f.file === lockFile);
  const matches = lock?.stages.filter((s) => s.name === name || s.name?.startsWith(`${name}@`));
  return matches && matches.length ? matches.flatMap((s) => s.outs) : undefined;
}

/** Convert a target given relative to `cwd` into a repo-relative one (the CLI accepts either form). */
export function toRepoTarget(root: string, cwd: string, target: string): string {
  if (target.includes(':') && !/^[A-Za-z]:[\\/]/.test(target)) {
    const colon = target.lastIndexOf(':');
    const file = target.slice(0, colon);
    if (!file) return target.slice(colon + 1);
    return `${toRepoTarget(root, cwd, file)}:${target.slice(colon + 1)}`;
  }
  const abs = join(cwd, target);
  const rel = relative(root, abs).split(sep).join('/');
  return rel === '' ? '.' : rel;
}
