/**
 * Plot data files (JSON, YAML, CSV, TSV) into DVC "datapoints" (a list of flat-ish records), and the
 * readers that fetch those files from the working tree or from another revision with `git show`.
 */
import { promises as fs } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { spawn } from 'node:child_process';

export type Datapoint = Record<string, unknown>;

/** Files bigger than this are refused per plot (a 50 MB CSV would stall the job and say nothing useful). */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

export class PlotDataError extends Error {}

/** Where plot data comes from for one revision. */
export interface RevisionReader {
  /** Bytes of a repo-relative file; undefined when it does not exist in this revision. */
  read(path: string): Promise<Buffer | undefined>;
  /** Size in bytes without reading the content; undefined when absent. */
  size(path: string): Promise<number | undefined>;
  /** Repo-relative paths of the files under a directory (recursive); undefined when not a directory. */
  list(dir: string): Promise<string[] | undefined>;
}

/** A path the plot config names must stay inside the repository (no `..`, no absolute paths). */
export function escapesRepo(path: string): boolean {
  return path === '..' || path.startsWith('../') || posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path);
}

export class OutsideRepoError extends PlotDataError {}

/**
 * The working tree. Plot files are published (committed to the assets branch, inlined in reports), so
 * a path or symlink that resolves outside the repository is refused: a pull request must not be able
 * to publish files of the runner.
 */
export function worktreeReader(cwd: string): RevisionReader {
  let rootReal: string | undefined;
  const inside = async (path: string): Promise<string | undefined> => {
    if (escapesRepo(path)) throw new OutsideRepoError(`${path} is outside the repository`);
    rootReal ??= await fs.realpath(cwd);
    let real: string;
    try {
      real = await fs.realpath(join(cwd, path));
    } catch {
      return undefined;
    }
    if (real !== rootReal && !real.startsWith(rootReal + sep)) throw new OutsideRepoError(`${path} resolves outside the repository (symlink)`);
    return real;
  };
  return {
    async read(path) {
      const real = await inside(path);
      if (!real) return undefined;
      try {
        return await fs.readFile(real);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
        throw e;
      }
    },
    async size(path) {
      const real = await inside(path);
      if (!real) return undefined;
      const st = await fs.stat(real).catch(() => undefined);
      return st?.isFile() ? st.size : undefined;
    },
    async list(dir) {
      const real = await inside(dir);
      if (!real) return undefined;
      try {
        const entries = await fs.readdir(real, { recursive: true, withFileTypes: true });
        return entries
          .filter((e) => e.isFile() || e.isSymbolicLink())
          .map((e) => posix.join(dir, relative(real, join(e.parentPath ?? e.path, e.name)).split(sep).join('/')))
          .sort();
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * Reads files as they were at a git revision, for base / serving overlays. Lookups made in the same
 * turn of the event loop share one `git cat-file --batch-check` process and contents one
 * `git cat-file --batch`, so a plot set costs two or three git processes per revision rather than a
 * few per file (each spawn is ~10 ms on a small runner). Answers are kept for the reader's lifetime:
 * make a new reader to see a revision that moved.
 */
export function gitRevisionReader(cwd: string, rev: string): RevisionReader {
  const objects = new Map<string, Promise<GitObject | undefined>>();
  const lookup = batched<GitObject | undefined>((paths) => catFileCheck(cwd, paths.map((p) => `${rev}:${p}`)));
  const contents = batched<Buffer | undefined>((oids) => catFileContents(cwd, oids));
  const object = (path: string): Promise<GitObject | undefined> => {
    let o = objects.get(path);
    if (!o) objects.set(path, (o = lookup(path)));
    return o;
  };
  return {
    async read(path) {
      const o = await object(path);
      return o?.type === 'blob' ? contents(o.oid) : undefined;
    },
    async size(path) {
      const o = await object(path);
      return o?.type === 'blob' ? o.size : undefined;
    },
    async list(dir) {
      const res = await gitRaw(['ls-tree', '-r', '--name-only', '-z', `${rev}:${dir}`], cwd);
      if (res.code !== 0) return undefined;
      return res.stdout
        .toString('utf8')
        .split('\0')
        .filter(Boolean)
        .map((p) => posix.join(dir, p))
        .sort();
    },
  };
}

interface GitObject {
  oid: string;
  type: string;
  size: number;
}

/** Calls made in the same event-loop turn become one call of `run` with every distinct key. */
function batched<T>(run: (keys: string[]) => Promise<T[]>): (key: string) => Promise<T> {
  type Waiting = { resolve: (v: T) => void; reject: (e: unknown) => void };
  let queue: Map<string, Waiting[]> | undefined;
  return (key) =>
    new Promise<T>((resolve, reject) => {
      if (!queue) {
        const q = (queue = new Map<string, Waiting[]>());
        // setImmediate, not a microtask: requests issued from the continuations of an earlier batch
        // (contents after sizes) arrive over several microtask turns and still land in one batch.
        setImmediate(() => {
          queue = undefined;
          const keys = [...q.keys()];
          run(keys).then(
            (values) => keys.forEach((k, i) => q.get(k)!.forEach((w) => w.resolve(values[i]!))),
            (e: unknown) => q.forEach((ws) => ws.forEach((w) => w.reject(e))),
          );
        });
      }
      const waiting = queue.get(key) ?? [];
      waiting.push({ resolve, reject });
      queue.set(key, waiting);
    });
}

/** `git cat-file --batch-check` over object names (one per line): type and size, undefined when missing. */
async function catFileCheck(cwd: string, names: string[]): Promise<(GitObject | undefined)[]> {
  // The batch protocol is line-based: a name with a newline is asked on its own, the rest together.
  const lined = names.filter((n) => !n.includes('\n'));
  const [batch, single] = await Promise.all([
    lined.length ? gitRaw(['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], cwd, `${lined.join('\n')}\n`) : undefined,
    Promise.all(names.filter((n) => n.includes('\n')).map((n) => catFileCheckOne(cwd, n))),
  ]);
  const lines = batch?.stdout.toString('utf8').split('\n') ?? [];
  let [l, s] = [0, 0];
  return names.map((n) => {
    if (n.includes('\n')) return single[s++];
    const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(lines[l++] ?? '');
    return m ? { oid: m[1]!, type: m[2]!, size: Number(m[3]) } : undefined;
  });
}

async function catFileCheckOne(cwd: string, name: string): Promise<GitObject | undefined> {
  const type = await gitRaw(['cat-file', '-t', name], cwd);
  if (type.code !== 0) return undefined;
  const [oid, size] = await Promise.all([gitRaw(['rev-parse', '--verify', '--quiet', name], cwd), gitRaw(['cat-file', '-s', name], cwd)]);
  if (oid.code !== 0 || size.code !== 0) return undefined;
  return { oid: oid.stdout.toString().trim(), type: type.stdout.toString().trim(), size: Number(size.stdout.toString().trim()) };
}

/** `git cat-file --batch` over object ids: each object's bytes, undefined when missing. */
async function catFileContents(cwd: string, oids: string[]): Promise<(Buffer | undefined)[]> {
  const res = await gitRaw(['cat-file', '--batch'], cwd, `${oids.join('\n')}\n`);
  const out: (Buffer | undefined)[] = [];
  let pos = 0;
  for (let i = 0; i < oids.length; i++) {
    const nl = res.stdout.indexOf(0x0a, pos);
    if (nl < 0) {
      out.push(undefined);
      continue;
    }
    const m = /^\S+ \S+ (\d+)$/.exec(res.stdout.toString('utf8', pos, nl));
    if (!m) {
      out.push(undefined); // "<oid> missing"
      pos = nl + 1;
      continue;
    }
    const size = Number(m[1]);
    out.push(res.stdout.subarray(nl + 1, nl + 1 + size));
    pos = nl + 1 + size + 1;
  }
  return out;
}

// Not git() from ../git/cli.js: contents need stdout as raw bytes (git() decodes UTF-8), and git() lets
// a write to the child's stdin fail with EPIPE when git exits at once (e.g. not a repository).
function gitRaw(args: string[], cwd: string, input?: string): Promise<{ code: number; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out) }));
    if (input !== undefined) {
      child.stdin!.on('error', () => undefined); // git gone early: its exit code tells
      child.stdin!.end(input);
    }
  });
}

/** Lines ending in LF, CRLF or CR (the regex split only when there is a CR: it is the slower one). */
function splitLines(text: string): string[] {
  return text.includes('\r') ? text.split(/\r?\n|\r/) : text.split('\n');
}

/** RFC 4180-style delimited text (quotes, doubled quotes, CRLF) into rows of cells. */
export function parseDelimited(text: string, delimiter: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Most metric logs have no quoting at all: split directly (10x faster than the state machine).
  if (!text.includes('"')) {
    const lines = splitLines(text);
    const rows: string[][] = [];
    for (let i = 0; i < lines.length; i++) if (lines[i] !== '') rows.push(lines[i]!.split(delimiter));
    return rows;
  }
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** Python's csv.DictReader: the first row names the columns (or 0..n-1 when header is false). */
function delimitedRecords(text: string, delimiter: string, header: boolean): Datapoint[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.includes('"')) return unquotedRecords(text, delimiter, header);
  const rows = parseDelimited(text, delimiter);
  if (!rows.length) return [];
  const names = header ? rows[0]! : rows[0]!.map((_, i) => String(i));
  const out: Datapoint[] = [];
  for (let r = header ? 1 : 0; r < rows.length; r++) {
    const row = rows[r]!;
    const d: Datapoint = {};
    for (let i = 0; i < names.length; i++) d[names[i]!] = row[i] ?? null;
    out.push(d);
  }
  uniform.add(out);
  return out;
}

/**
 * delimitedRecords for text without quotes: the same records, cut straight from each line (no array
 * of cells per row: 10,000-row logs are the common case, and a cold process pays for every object).
 */
function unquotedRecords(text: string, delimiter: string, header: boolean): Datapoint[] {
  const lines = splitLines(text);
  const out: Datapoint[] = [];
  let names: string[] | undefined;
  for (let r = 0; r < lines.length; r++) {
    const line = lines[r]!;
    if (line === '') continue;
    if (!names) {
      const first = line.split(delimiter);
      names = header ? first : first.map((_, i) => String(i));
      if (header) continue;
    }
    const d: Datapoint = {};
    let start = 0;
    for (let i = 0; i < names.length; i++) {
      if (start > line.length) {
        d[names[i]!] = null;
        continue;
      }
      let end = line.indexOf(delimiter, start);
      if (end < 0) end = line.length;
      d[names[i]!] = line.slice(start, end);
      start = end + delimiter.length;
    }
    out.push(d);
  }
  uniform.add(out);
  return out;
}

/** Record lists made from a header row: every record has the same keys, no need to check them. */
const uniform = new WeakSet<unknown[]>();

/** The parsed content of a data file (JSON/YAML objects as they are; CSV/TSV as a list of records). */
export function parseDataFile(path: string, buf: Buffer, opts: { header?: boolean } = {}): unknown {
  const ext = posix.extname(path).toLowerCase();
  const text = buf.toString('utf8');
  try {
    switch (ext) {
      case '.json':
        return parseJsonLenient(text);
      case '.yaml':
      case '.yml':
        return parseYamlText(text);
      case '.csv':
        return delimitedRecords(text, ',', opts.header ?? true);
      case '.tsv':
        return delimitedRecords(text, '\t', opts.header ?? true);
      default:
        throw new PlotDataError(`unsupported data file type "${ext || path}" (use .json, .yaml, .csv or .tsv)`);
    }
  } catch (e) {
    if (e instanceof PlotDataError) throw e;
    throw new PlotDataError(`cannot parse ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
}

// Python's json (which wrote most of these files) emits bare NaN / Infinity; JSON.parse rejects them.
function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (!/NaN|Infinity/.test(text)) throw e;
    const fixed = text.replace(/("(?:[^"\\]|\\.)*")|-?\bInfinity\b|\bNaN\b/g, (m, str: string | undefined) => (str ? str : 'null'));
    return JSON.parse(fixed);
  }
}

/** DVC's `_lists`: the list itself, or every list found by walking nested objects. */
function* lists(blob: unknown): Generator<unknown[]> {
  if (Array.isArray(blob)) {
    yield blob;
    return;
  }
  if (blob && typeof blob === 'object') {
    for (const v of Object.values(blob)) {
      if (Array.isArray(v)) yield v;
      else if (v && typeof v === 'object') yield* lists(v);
    }
  }
}

function isDatapoints(lst: unknown[]): lst is Datapoint[] {
  if (lst.length && uniform.has(lst)) return true;
  if (!lst.length || !lst.every((d) => d !== null && typeof d === 'object' && !Array.isArray(d))) return false;
  // Every record's keys are among the first record's (the union of all keys is the first's).
  const first = new Set(Object.keys(lst[0] as object));
  for (const d of lst) for (const k in d as object) if (Object.hasOwn(d as object, k) && !first.has(k)) return false;
  return true;
}

/**
 * DVC's `get_datapoints`: every list of uniform records in the file, merged side by side by index
 * (`{"train": [...], "test": [...]}` gives one record per index with both sets of keys).
 * Also accepts a column-oriented object `{"fpr": [..], "tpr": [..]}` (equal-length scalar lists), which
 * DVC itself ignores; it is the natural shape of numpy-dumped curves.
 */
export function toDatapoints(content: unknown): Datapoint[] {
  const found = [...lists(content)].filter(isDatapoints);
  // One list (the usual case): its records are the datapoints; callers copy before changing them.
  if (found.length === 1) return found[0]!;
  const result: Datapoint[] = [];
  for (const lst of found) {
    lst.forEach((d, i) => {
      result[i] ??= {};
      Object.assign(result[i]!, d);
    });
  }
  if (result.length || !content || typeof content !== 'object' || Array.isArray(content)) return result;
  const cols = Object.entries(content as Record<string, unknown>).filter(
    ([, v]) => Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'),
  ) as [string, unknown[]][];
  if (!cols.length || new Set(cols.map(([, v]) => v.length)).size !== 1) return [];
  return cols[0]![1].map((_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
}

/** DVC's y inference when a plot names no y: the last key of the first record. */
export function inferY(content: unknown): string | undefined {
  for (const lst of lists(content)) {
    if (lst.length && lst.every((d) => d !== null && typeof d === 'object' && !Array.isArray(d))) {
      const keys = Object.keys(lst[0] as object);
      return keys[keys.length - 1];
    }
  }
  const pts = toDatapoints(content);
  if (pts.length) {
    const keys = Object.keys(pts[0]!);
    return keys[keys.length - 1];
  }
  return undefined;
}

/** A number from a datum value (CSV cells are strings); undefined when it is not numeric. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    // Number('  ') is 0: only a zero needs the (allocating) check that the text is not blank.
    return Number.isFinite(n) && (n !== 0 || v.trim() !== '') ? n : undefined;
  }
  return undefined;
}
