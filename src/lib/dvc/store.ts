/**
 * Where objects live: the local DVC cache and the remote layout, for DVC 3.x (`files/md5/xx/yyy`) and
 * for objects of DVC 2.x outs (`xx/yyy` at the top, which DVC 3.x still uses for them), plus a small
 * state file remembering which files we have verified, so a warm pull does not re-hash gigabytes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { HashMode } from './hash.js';

export interface ObjectId {
  md5: string;
  mode: HashMode;
  /** A `.dir` listing rather than file contents. */
  dir?: boolean;
}

export function objectName(id: ObjectId): string {
  return `${id.md5.slice(0, 2)}/${id.md5.slice(2)}${id.dir ? '.dir' : ''}`;
}

/** Remote keys to try, the layout DVC writes for this kind of out first. */
export function remoteKeys(id: ObjectId): string[] {
  const modern = `files/md5/${objectName(id)}`;
  const legacy = objectName(id);
  return id.mode === 'md5' ? [modern, legacy] : [legacy, modern];
}

export function cachePath(cacheDir: string, id: ObjectId): string {
  const name = objectName(id).split('/');
  return id.mode === 'md5' ? join(cacheDir, 'files', 'md5', ...name) : join(cacheDir, ...name);
}

export function objectKey(id: ObjectId): string {
  return `${id.mode}:${id.md5}${id.dir ? '.dir' : ''}`;
}

/** Unique per process; the counter makes each temp name of this process unique. */
const TEMP_TOKEN = randomBytes(6).toString('hex');
let tempCounter = 0;

/**
 * A temp name next to `path`, so the final rename stays on one filesystem and is atomic. Not a fresh
 * random name per file: at a thousand small files, asking the kernel for random bytes each time cost
 * 3% of a pull.
 */
export function tempPathFor(path: string): string {
  const base = path.slice(dirname(path).length + 1);
  return join(dirname(path), `.${base}.${TEMP_TOKEN}-${(tempCounter++).toString(36)}.mlops-tmp`);
}

interface StateEntry {
  key: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Files whose hash we computed or wrote ourselves, keyed by path relative to the repo root and
 * trusted while size, mtime and inode are unchanged (the rule DVC's own state database uses).
 */
export class VerifiedState {
  private entries = new Map<string, StateEntry>();
  private dirty = false;

  constructor(
    private readonly root: string,
    private readonly file: string,
  ) {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, StateEntry> };
      if (data.version === 1 && data.entries) this.entries = new Map(Object.entries(data.entries));
    } catch {
      // missing or unreadable state only costs a re-hash
    }
  }

  private rel(path: string): string {
    return relative(this.root, path).split(sep).join('/');
  }

  isVerified(path: string, st: Stats, key: string): boolean {
    const e = this.entries.get(this.rel(path));
    return !!e && e.key === key && e.size === st.size && e.mtimeMs === st.mtimeMs && e.ino === st.ino;
  }

  remember(path: string, st: Stats, key: string): void {
    this.entries.set(this.rel(path), { key, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
    this.dirty = true;
  }

  forget(path: string): void {
    if (this.entries.delete(this.rel(path))) this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = tempPathFor(this.file);
    await writeFile(tmp, JSON.stringify({ version: 1, entries: Object.fromEntries(this.entries) }));
    await rename(tmp, this.file).catch(async (e) => {
      await rm(tmp, { force: true });
      throw e;
    });
    this.dirty = false;
  }
}
