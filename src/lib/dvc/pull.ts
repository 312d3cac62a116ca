/**
 * `dvc pull` without DVC: collect the selected outs, fetch missing objects from their remote into the
 * local cache (verifying md5 while streaming), then place files in the workspace.
 *
 * Phases: (1) read and check outs, (2) fetch directory listings, (3) check every destination and skip
 * files already correct, (4) download/verify objects into the cache while staging a copy of each file
 * under .dvc/tmp, (5) rename staged files into place. Nothing outside .dvc/ is written before every
 * object is verified, so a failure leaves the workspace as it was (correct files stay, nothing
 * half-written appears).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, lstatSync, readlinkSync, type Stats, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { messageOf, UserError } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { closeTransport, type Transport } from '../http.js';
import { backoffDelay, sleep } from '../retry.js';
import { readDvcConfig, type DvcConfig } from './config.js';
import { DvcHasher, dvcHashFile, EMPTY_MD5 } from './hash.js';
import { Md5Sink } from './hash-offload.js';
import { CacheLinker } from './link.js';
import { findDvcFiles, type Out, readDvcFile, selectOuts, type Selection } from './outs.js';
import { PathGuard, unsafeRelpathReason } from './paths.js';
import { describeNetworkError, openRemote, type Remote, remoteTransport, TransientError } from './remotes.js';
import { cachePath, type ObjectId, objectKey, remoteKeys, tempPathFor, VerifiedState } from './store.js';

export interface PullOptions {
  /** Root of the DVC repository (the folder holding `.dvc/`). */
  root: string;
  /** Repo-relative targets (see selectOuts); empty = every out. */
  targets?: string[];
  /** Use this remote for every out instead of the per-out / default remote. */
  remote?: string;
  /** Parallel downloads; default 8 per core. */
  jobs?: number;
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Called with each credential found in config or env (the action masks them). */
  onSecret?: (value: string) => void;
  /** Minimum time between progress lines; default 5 s. */
  progressIntervalMs?: number;
  /** Attempts per object for transient failures (default 5) and the first backoff delay (default 500 ms). */
  attempts?: number;
  retryBaseMs?: number;
  /** Give up on a request that sends no byte for this long (default 60 s), then retry. */
  idleTimeoutMs?: number;
}

export interface PullResult {
  /** Workspace files covered by the selected outs (all now present and verified). */
  files: number;
  bytes: number;
  /** Files written into the workspace by this pull (the rest were already correct). */
  placed: number;
  downloadedObjects: number;
  downloadedBytes: number;
  /** Outs pulled, for messages and the cache key. */
  outs: Out[];
  /** Cache paths of every object the selected outs use (listings included), for pruning a CI cache. */
  objectPaths: string[];
}

export interface Collected {
  config: DvcConfig;
  selections: Selection[];
}

/** Read config and DVC files and resolve targets, without touching the network or the workspace. */
export async function collectOuts(root: string, targets: string[] = []): Promise<Collected> {
  if (!(await stat(join(root, '.dvc')).then((st) => st.isDirectory(), () => false))) {
    throw new UserError(`${root} is not a DVC repository (no .dvc folder); point working-directory (or --repo) at the folder where \`dvc init\` ran`);
  }
  const config = readDvcConfig(root);
  const files = (await findDvcFiles(root)).map((f) => readDvcFile(root, f));
  const selections = selectOuts(files, targets);
  return { config, selections };
}

/** Size of the writes of a streamed download. */
const WRITE_BLOCK = 1 << 20;
/** Objects up to this size are buffered in memory instead of streamed to disk. */
const SMALL_OBJECT = 256 * 1024;

/** One workspace file to end up with: its path, its object, and the out it belongs to. */
interface WorkFile {
  path: string;
  id: ObjectId;
  out: Out;
  size?: number;
}

export async function pull(opts: PullOptions): Promise<PullResult> {
  const jobs = opts.jobs ?? 8 * availableParallelism();
  // The sockets' own timeout is a backstop (e.g. no response headers); our per-download idle timer,
  // at half of it, is what normally fires on a stalled body, with a clearer message.
  const transport = remoteTransport(jobs, 2 * (opts.idleTimeoutMs ?? 60_000));
  try {
    return await runPull(opts, jobs, transport);
  } finally {
    closeTransport(transport);
  }
}

async function runPull(opts: PullOptions, jobs: number, transport: Transport): Promise<PullResult> {
  const log = opts.logger ?? silentLogger;
  const root = opts.root;
  const { config, selections } = await collectOuts(root, opts.targets ?? []);
  const outs = selections.map((s) => s.out);
  const state = new VerifiedState(root, join(root, '.dvc', 'tmp', 'mlops-pull-state.json'));
  const remotes = new Map<string, Remote>();
  const remoteFor = (out: Out): Remote => {
    const name = (opts.remote ?? out.remote ?? config.defaultRemote)?.toLowerCase();
    if (!name) {
      throw new UserError(`no DVC remote for ${out.path}: set a default with \`dvc remote add -d <name> <url>\` or pass a remote`, {
        file: '.dvc/config',
        field: 'core.remote',
      });
    }
    const conf = config.remotes.get(name);
    if (!conf) {
      const where = opts.remote ? 'the remote input' : out.remote ? `${out.source.file} (remote: ${out.remote})` : '.dvc/config core.remote';
      throw new UserError(`remote "${name}" named by ${where} is not defined in .dvc/config or .dvc/config.local`, {
        file: opts.remote || out.remote ? undefined : '.dvc/config',
        field: opts.remote ? 'remote' : undefined,
      });
    }
    let r = remotes.get(name);
    if (!r) remotes.set(name, (r = openRemote(conf, { env: opts.env, onSecret: opts.onSecret, transport })));
    return r;
  };

  // 1. Paths of outs: lexical checks were done when reading; now symlinks already in the workspace.
  const guard = new PathGuard(root);
  for (const out of outs) {
    const reason = guard.refuse(out.path);
    if (reason) throw new UserError(`out ${out.path} ${reason}; refusing to write there`, { file: out.source.file, line: out.source.line });
    remoteFor(out);
  }

  const progress = new Progress(log, opts.progressIntervalMs ?? 5000);
  // Many files share a folder: create each one once.
  const made = new Set<string>();
  const ensureDir = (dir: string) => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  const linker = new CacheLinker(config.linkTypes, config.linkTypesFile);
  const fetcher: Fetcher = {
    ensureDir,
    linker,
    cacheDir: config.cacheDir,
    state,
    progress,
    log,
    attempts: opts.attempts ?? 5,
    retryBaseMs: opts.retryBaseMs ?? 500,
    idleTimeoutMs: opts.idleTimeoutMs ?? 60_000,
  };

  // 2. Directory listings (small objects, needed to know the files).
  const work: WorkFile[] = [];
  const limit = pLimit(jobs);
  // Once one task fails the pull fails: queued tasks then return at once instead of downloading more.
  let failed = false;
  const task = (fn: () => Promise<void>) =>
    limit(async () => {
      if (failed) return;
      try {
        await fn();
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  await runAll(
    selections.map((sel) =>
      task(async () => {
        const out = sel.out;
        if (!out.isDir) {
          work.push({ path: out.path, id: { md5: out.md5, mode: out.hashMode }, out, size: out.size });
          return;
        }
        const dirId: ObjectId = { md5: out.md5, mode: out.hashMode, dir: true };
        await ensureObject(fetcher, remoteFor(out), dirId, out);
        const entries = parseDirObject(await readFile(cachePath(config.cacheDir, dirId)), out, remoteFor(out));
        for (const e of entries) {
          if (sel.within && !sel.within.some((w) => e.relpath === w || e.relpath.startsWith(`${w}/`))) continue;
          work.push({ path: `${out.path}/${e.relpath}`, id: { md5: e.md5, mode: out.hashMode }, out });
        }
      }),
    ),
  );

  // 3. Check every destination before writing anything.
  const byPath = new Map<string, WorkFile>();
  for (const w of work) {
    const prev = byPath.get(w.path);
    if (prev && prev.id.md5 !== w.id.md5) {
      throw new UserError(`${w.path} is tracked twice with different contents (${prev.out.source.file} and ${w.out.source.file})`, {
        file: w.out.source.file,
            line: w.out.source.line,
      });
    }
    byPath.set(w.path, w);
  }
  const files = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const needed: WorkFile[] = [];
  let totalBytes = 0;
  const modified: string[] = [];
  await runAll(
    files.map((w) =>
      task(async () => {
        const reason = guard.refuse(w.path);
        if (reason) throw new UserError(`${w.path} (in out ${w.out.path}) ${reason}; refusing to write there`, { file: w.out.source.file, line: w.out.source.line });
        const abs = join(root, w.path);
        const st = lstatOrUndefined(abs);
        if (st?.isSymbolicLink() && config.linkTypes.includes('symlink')) {
          const size = await linkedObjectSize(fetcher, abs, w.id);
          if (size !== undefined) {
            totalBytes += size;
            return;
          }
        }
        if (st?.isDirectory()) {
          throw new UserError(`${w.path} is a folder in the workspace but DVC tracks a file there (out ${w.out.path}); remove it and pull again`, {
            file: w.out.source.file,
            line: w.out.source.line,
          });
        }
        if (st?.isFile()) {
          if (state.isVerified(abs, st, objectKey(w.id))) {
            totalBytes += st.size;
            return;
          }
          if ((w.size === undefined || w.size === st.size) && (await md5Of(state, abs, st, w.id)) === w.id.md5) {
            totalBytes += st.size;
            return;
          }
          modified.push(w.path);
        }
        needed.push(w);
      }),
    ),
  );

  // 4. Stage every needed file under .dvc/tmp: objects missing from the cache are downloaded and
  //    verified (written to the cache and the staging copy in one pass), cached ones are copied.
  //    Nothing outside .dvc/ is touched until every object has been verified.
  const objects = new Map<string, { id: ObjectId; out: Out; files: WorkFile[] }>();
  for (const w of needed) {
    const key = objectKey(w.id);
    const o = objects.get(key);
    if (o) o.files.push(w);
    else objects.set(key, { id: w.id, out: w.out, files: [w] });
  }
  const stageDir = join(root, '.dvc', 'tmp', `mlops-stage-${randomBytes(6).toString('hex')}`);
  const staged = new Map<WorkFile, string>();
  let placed = 0;
  try {
    if (objects.size) await mkdir(stageDir, { recursive: true });
    let counter = 0;
    progress.start(objects.size);
    await runAll(
      [...objects.values()].map(({ id, out, files: users }) =>
        task(async () => {
          const targets = users.map(() => join(stageDir, String(counter++)));
          await ensureObject(fetcher, remoteFor(out), id, out, targets[0]);
          for (let i = 1; i < targets.length; i++) await stage(linker, cachePath(config.cacheDir, id), targets[i]!);
          users.forEach((w, i) => staged.set(w, targets[i]!));
        }),
      ),
    );
    progress.finish();

    // 5. Place: one rename per file (same filesystem), parents created as needed.
    if (modified.length) {
      log.warning(`replacing ${modified.length} workspace file(s) that differ from what DVC tracks: ${modified.slice(0, 5).join(', ')}${modified.length > 5 ? ', ...' : ''}`);
    }
    for (const sel of selections) if (sel.out.isDir && !sel.within) ensureDir(join(root, sel.out.path));
    for (const w of needed) {
      const abs = join(root, w.path);
      // A hardlinked or symlinked file is the cache's (read-only) file: executable, but still read-only.
      if (!w.out.isDir && w.out.isexec) await chmod(staged.get(w)!, sharesCacheFile(staged.get(w)!) ? 0o555 : 0o755);
      ensureDir(dirname(abs));
      await place(staged.get(w)!, abs);
      const st = statSync(abs);
      state.remember(abs, st, objectKey(w.id));
      totalBytes += st.size;
      placed++;
    }
  } finally {
    await rm(stageDir, { recursive: true, force: true }).catch(() => {});
    await state.save().catch((e) => log.debug(`could not save pull state: ${messageOf(e)}`));
  }

  const summary = progress.summary();
  log.info(
    `dvc pull: ${files.length} file(s), ${formatBytes(totalBytes)} in ${outs.length} out(s); ` +
      `downloaded ${summary.objects} object(s), ${formatBytes(summary.bytes)}; placed ${placed} file(s)${linker.summary() ? ` (${linker.summary()})` : ''}`,
  );
  const objectPaths = new Set(files.map((w) => cachePath(config.cacheDir, w.id)));
  for (const out of outs) if (out.isDir) objectPaths.add(cachePath(config.cacheDir, { md5: out.md5, mode: out.hashMode, dir: true }));
  return { files: files.length, bytes: totalBytes, placed, downloadedObjects: summary.objects, downloadedBytes: summary.bytes, outs, objectPaths: [...objectPaths] };
}

/** Run tasks to the end; rethrow the first failure (others are not left running in the background). */
async function runAll(tasks: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Make the staging file `to` from the cache object `from`, as cache.type says. */
async function stage(linker: CacheLinker, from: string, to: string): Promise<void> {
  await linker.link(from, to).catch((e: unknown) => Promise.reject(writeError(e, to)));
}

/** Whether a staged file is the cache's own file (a hardlink or a symlink to it). */
function sharesCacheFile(path: string): boolean {
  const st = lstatSync(path);
  return st.isSymbolicLink() || st.nlink > 1;
}

/**
 * The size of the object behind a workspace symlink that a `symlink` cache.type made, when it points
 * at the right cache file and that file is verified; else undefined (the link is replaced).
 */
async function linkedObjectSize(f: Fetcher, abs: string, id: ObjectId): Promise<number | undefined> {
  let target: string;
  try {
    target = readlinkSync(abs);
  } catch {
    return undefined;
  }
  const cached = cachePath(f.cacheDir, id);
  if (resolve(dirname(abs), target) !== resolve(cached)) return undefined;
  const st = statOrUndefined(cached);
  return st?.isFile() && (await md5Of(f.state, cached, st, id)) === id.md5 ? st.size : undefined;
}

/**
 * The md5 of the file at `path` as `id`'s hash mode counts it: `id`'s own while the state file vouches
 * for the file, else hashed (and remembered when it matches).
 */
async function md5Of(state: VerifiedState, path: string, st: Stats, id: ObjectId): Promise<string> {
  const key = objectKey(id);
  if (state.isVerified(path, st, key)) return id.md5;
  const { md5 } = await dvcHashFile(path, id.mode);
  if (md5 === id.md5) state.remember(path, st, key);
  return md5;
}

/** Move a staged, verified file into place atomically (rename over the target). */
async function place(from: string, to: string): Promise<void> {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw writeError(e, to);
    // A folder of the workspace on another filesystem: copy beside the target, then rename.
    const tmp = tempPathFor(to);
    try {
      await copyFile(from, tmp);
      await rename(tmp, to);
    } catch (e2) {
      await rm(tmp, { force: true });
      throw writeError(e2, to);
    }
  }
}

function writeError(e: unknown, path: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code && ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR'].includes(code)) {
    return new UserError(`cannot write ${path}: ${code} (${messageOf(e)})`);
  }
  return e as Error;
}

export interface DirEntry {
  md5: string;
  relpath: string;
}

/** Parse and check a `.dir` object: a JSON list of {md5, relpath}; relpaths must stay inside the out. */
export function parseDirObject(data: Buffer, out: Out, remote: { name: string }): DirEntry[] {
  const where = `directory object ${out.md5}.dir of out ${out.path} (${out.source.file}, remote ${remote.name})`;
  let list: unknown;
  try {
    list = JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new UserError(`${where} is not valid JSON: ${messageOf(e)}`, { file: out.source.file, line: out.source.line });
  }
  if (!Array.isArray(list)) throw new UserError(`${where} is not a JSON list`, { file: out.source.file, line: out.source.line });
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const e = raw as { md5?: unknown; relpath?: unknown };
    if (typeof e?.md5 !== 'string' || !/^[0-9a-f]{32}$/.test(e.md5) || typeof e.relpath !== 'string') {
      throw new UserError(`${where}: entry #${i + 1} lacks a 32-digit md5 or a relpath`, { file: out.source.file, line: out.source.line });
    }
    const reason = unsafeRelpathReason(e.relpath);
    if (reason || e.relpath.split('/').some((p) => p === '' || p === '.')) {
      throw new UserError(`${where}: relpath "${e.relpath}" ${reason ?? 'is not a normalised relative path'}; refusing to write it`, {
        file: out.source.file,
        line: out.source.line,
      });
    }
    if (seen.has(e.relpath)) throw new UserError(`${where}: relpath "${e.relpath}" is listed twice`, { file: out.source.file, line: out.source.line });
    seen.add(e.relpath);
    return { md5: e.md5, relpath: e.relpath };
  });
}

interface Fetcher {
  ensureDir: (dir: string) => void;
  linker: CacheLinker;
  cacheDir: string;
  state: VerifiedState;
  progress: Progress;
  log: Logger;
  attempts: number;
  retryBaseMs: number;
  idleTimeoutMs: number;
}

/**
 * Make sure a verified copy of `id` is in the cache (trust a known one, re-hash an unknown one, else
 * download it) and, when `stageTo` is given, also write it there.
 */
async function ensureObject(f: Fetcher, remote: Remote, id: ObjectId, out: Out, stageTo?: string): Promise<void> {
  const path = cachePath(f.cacheDir, id);
  const key = objectKey(id);
  const st = statOrUndefined(path);
  if (st?.isFile()) {
    const md5 = await md5Of(f.state, path, st, id);
    if (md5 === id.md5) {
      if (stageTo) await stage(f.linker, path, stageTo);
      return;
    }
    f.log.warning(`cache object ${path} is corrupt (md5 ${md5}); downloading it again`);
    f.state.forget(path);
    await rm(path, { force: true });
  }
  f.ensureDir(dirname(path));
  if (id.md5 === EMPTY_MD5 && !id.dir) {
    // Every empty file has this hash; no need to ask the remote for zero bytes.
    writeFileSync(path, '');
    if (stageTo && f.linker.copies) writeFileSync(stageTo, '');
    else if (stageTo) await stage(f.linker, path, stageTo);
  } else {
    await download(f, remote, id, out, path, stageTo);
  }
  f.state.remember(path, statSync(path), key);
}

async function download(f: Fetcher, remote: Remote, id: ObjectId, out: Out, dest: string, stageTo?: string): Promise<void> {
  const what = `${id.dir ? 'directory listing' : 'object'} ${id.md5}${id.dir ? '.dir' : ''} of out ${out.path} (${out.source.file})`;
  let denied: number | undefined;
  const tried: string[] = [];
  for (const key of remoteKeys(id)) {
    tried.push(key);
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await downloadOnce(f, remote, key, id, dest, what, { file: out.source.file, line: out.source.line }, stageTo);
        if (r === 'ok') return;
        if (typeof r === 'number') denied = r;
        break; // missing or denied under this layout: try the next one
      } catch (e) {
        if (!(e instanceof TransientError) || attempt + 1 >= f.attempts) {
          if (e instanceof TransientError) {
            throw new UserError(`could not download ${what} from remote "${remote.name}" (${remote.display}) after ${f.attempts} attempts: ${e.message}`, {
              file: out.source.file,
              line: out.source.line,
            });
          }
          throw e;
        }
        const delay = Math.min(30_000, Math.max(e.retryAfterMs ?? 0, backoffDelay(attempt, f.retryBaseMs, 10_000)));
        f.log.info(`retrying ${remote.name}/${key} in ${(delay / 1000).toFixed(1)} s: ${e.message}`);
        await sleep(delay);
      }
    }
  }
  if (denied !== undefined) {
    throw new UserError(
      `access denied (${denied ? `HTTP ${denied}` : 'file permissions'}) reading ${what} from remote "${remote.name}" (${remote.display}); check the credentials in .dvc/config.local or MLOPS_DVC_REMOTE_${remote.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_* / AWS_* variables`,
      { file: out.source.file, line: out.source.line },
    );
  }
  throw new UserError(
    `${what} is missing from remote "${remote.name}" (${remote.display}); tried ${tried.join(' and ')}. Was it pushed? Run \`dvc push\` where it was produced`,
    { file: out.source.file, line: out.source.line },
  );
}

/**
 * One attempt: 'ok', 'missing', an HTTP status when denied; throws TransientError to retry. The body
 * is hashed and written to a temp file in the cache (renamed once verified) and to `stageTo` at once.
 */
async function downloadOnce(
  f: Fetcher,
  remote: Remote,
  key: string,
  id: ObjectId,
  dest: string,
  what: string,
  where: { file: string; line?: number },
  stageTo?: string,
): Promise<'ok' | 'missing' | number> {
  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ctl.abort(new TransientError(`no data for ${f.idleTimeoutMs / 1000} s`)), f.idleTimeoutMs);
  };
  const tmp = tempPathFor(dest);
  let received = 0;
  let renamed = false;
  let sink: Md5Sink | undefined;
  try {
    arm();
    const opened = await remote.open(key);
    if (opened.kind === 'missing') return 'missing';
    if (opened.kind === 'denied') return opened.status;
    const stream = opened.stream;
    if (ctl.signal.aborted) {
      stream.destroy();
      throw ctl.signal.reason as Error;
    }
    ctl.signal.addEventListener('abort', () => stream.destroy(ctl.signal.reason as Error), { once: true });
    // Small objects (most files of a typical dataset) are held in memory and written once verified:
    // two stream pipelines per 10 KB file cost more than the bytes.
    let small: Buffer[] | undefined = opened.length !== undefined && opened.length <= SMALL_OBJECT ? [] : undefined;
    // A .dir listing is hashed like a file of its out (DVC 2.x hashed it as text, which changes nothing
    // for JSON). Large md5 objects go to the cache file through a sink whose worker thread writes what
    // it hashes (./hash-offload.ts); the rest are hashed here.
    const streamed = !small;
    sink = streamed && id.mode === 'md5' ? new Md5Sink({ path: tmp }) : undefined;
    const hasher = sink ? undefined : new DvcHasher(id.mode);
    const progress = f.progress;
    const take = (chunk: Buffer) => {
      arm();
      hasher?.update(chunk);
      received += chunk.length;
      progress.addBytes(chunk.length);
    };
    try {
      if (small) {
        for await (const chunk of opened.stream) {
          if (ctl.signal.aborted) throw ctl.signal.reason as Error;
          take(chunk as Buffer);
          small.push(chunk as Buffer);
        }
      } else {
        opened.stream.on('data', take);
        if (sink) await pipeline(opened.stream, sink, { signal: ctl.signal });
        else await pipeline(opened.stream, createWriteStream(tmp, { highWaterMark: WRITE_BLOCK }), { signal: ctl.signal });
      }
    } catch (e) {
      if (ctl.signal.aborted) throw ctl.signal.reason as Error;
      if (isWriteFailure(e)) throw writeError(e, tmp);
      throw new TransientError(`reading ${key}: ${describeNetworkError(e)}`, undefined, { cause: e });
    }
    if (opened.length !== undefined && received !== opened.length) {
      throw new TransientError(`truncated body: got ${received} of ${opened.length} bytes`);
    }
    const md5 = sink
      ? await sink.digest().catch((e: unknown) => Promise.reject(isWriteFailure(e) ? writeError(e, tmp) : new TransientError(`hashing ${key}: ${messageOf(e)}`)))
      : hasher!.digest();
    // Closed before the rename (Windows renames no open file); the finally block closes it on failures.
    await sink?.close();
    if (md5 !== id.md5) {
      throw new UserError(
        `${what} from remote "${remote.name}" (${remote.display}, ${key}) is corrupt: its md5 is ${md5}, expected ${id.md5}. Push it again from a good copy (\`dvc push\`)`,
        where,
      );
    }
    if (small) {
      const data = Buffer.concat(small);
      small = undefined;
      writeNow(tmp, data);
      if (stageTo && f.linker.copies) writeNow(stageTo, data);
    }
    renameSync(tmp, dest);
    renamed = true;
    // A streamed file's workspace copy is made from the verified cache file by the kernel (a reflink
    // where the filesystem has them): less CPU than writing the body a second time from here.
    if (stageTo && (streamed || !f.linker.copies)) await stage(f.linker, dest, stageTo);
    progress.objectDone();
    return 'ok';
  } catch (e) {
    f.progress.addBytes(-received);
    throw e;
  } finally {
    clearTimeout(timer);
    await sink?.close();
    if (!renamed) await rm(tmp, { force: true }).catch(() => {});
  }
}

/*
 * Metadata calls and small writes are synchronous on purpose: each costs microseconds in the kernel,
 * while a trip through libuv's threadpool (three of them for open/write/close) costs more than that.
 * In a micro-benchmark of 1,000 downloads of 10 KB, sync writes finished 7-24% sooner than the promise
 * API. Large bodies stay streamed and async.
 */

function writeNow(path: string, data: Buffer): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw writeError(e, path);
  }
}

// A missing path is the common case of a cold pull: ask for undefined rather than pay for an Error
// (message and stack) per file. Other failures (ENOTDIR, EACCES, ...) also read as "not there".
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function isWriteFailure(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException & { syscall?: string };
  return !!err?.syscall && ['open', 'write', 'close'].includes(err.syscall) && !!err.code && err.code !== 'ECONNRESET';
}

/** Progress lines at most every `intervalMs`: objects, bytes, rate. */
class Progress {
  private total = 0;
  private objects = 0;
  private bytes = 0;
  private startedAt = Date.now();
  private lastLine = Date.now();

  constructor(
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  /** Announce the main batch; objects already fetched (directory listings) count towards it. */
  start(total: number): void {
    this.total = this.objects + total;
    this.startedAt = this.lastLine = Date.now();
    if (total) this.log.info(`downloading ${this.total} object(s)`);
  }

  addBytes(n: number): void {
    this.bytes += n;
    this.maybeLog();
  }

  objectDone(): void {
    this.objects++;
    this.maybeLog();
  }

  private maybeLog(): void {
    const now = Date.now();
    if (now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    const rate = this.bytes / Math.max(0.001, (now - this.startedAt) / 1000);
    this.log.info(`  ${this.objects}/${this.total} objects, ${formatBytes(this.bytes)}, ${formatBytes(rate)}/s`);
  }

  finish(): void {
    if (!this.total) return;
    const secs = (Date.now() - this.startedAt) / 1000;
    this.log.info(`downloaded ${this.objects} object(s), ${formatBytes(this.bytes)} in ${secs.toFixed(1)} s`);
  }

  summary(): { objects: number; bytes: number } {
    return { objects: this.objects, bytes: this.bytes };
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

