/**
 * Workspace files from cache objects, the way `cache.type` asks (DVC's checkout): reflink, hardlink,
 * symlink or copy, each type in order until one works between the cache and the workspace. Hardlinks
 * and symlinks share the cache file with the workspace, so that file is made read-only first, as DVC
 * does (its cache mode is 0444): writing through the workspace would otherwise corrupt the cache.
 */
import { chmodSync, constants as fsConstants, linkSync, statSync, symlinkSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { LinkType } from './config.js';
import { UserError } from '../errors.js';

/** Errors that mean "this link type does not work here" (other filesystem, no reflinks, ...). */
const UNSUPPORTED = new Set(['EXDEV', 'ENOTSUP', 'EOPNOTSUPP', 'EPERM', 'EMLINK', 'EINVAL', 'ENOSYS', 'ENOTTY']);

export class CacheLinker {
  /** The type that last worked: tried first, as DVC settles on one type per checkout. */
  private preferred: LinkType | undefined;
  private readonly counts = new Map<LinkType, number>();

  constructor(
    private readonly types: LinkType[],
    /** The file that set cache.type, for the error when no type works. */
    private readonly configFile: string,
  ) {}

  /**
   * Whether the workspace gets an independent copy (DVC's default `reflink,copy` on a filesystem
   * without reflinks): a caller holding the bytes may then write that copy itself.
   */
  get copies(): boolean {
    const [first, second] = this.types;
    return first === 'copy' || (first === 'reflink' && second === 'copy');
  }

  /** Make `to` (which must not exist) hold the cache object `from`; returns the type used. */
  async link(from: string, to: string): Promise<LinkType> {
    const order = this.preferred ? [this.preferred, ...this.types.filter((t) => t !== this.preferred)] : this.types;
    const failures: string[] = [];
    let last: unknown;
    for (const type of order) {
      try {
        await make(type, from, to);
        this.preferred = type;
        this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
        return type;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        await rm(to, { force: true });
        if (type === 'copy' || !UNSUPPORTED.has(code)) throw e;
        failures.push(`${type}: ${code}`);
        last = e;
      }
    }
    throw new UserError(
      `none of the link types in cache.type (${this.types.join(',')}) works from the cache to ${to} (${failures.join('; ')}): ` +
        'the cache may be on another filesystem than the workspace; add copy to cache.type',
      { file: this.configFile, field: 'cache.type' },
      { cause: last },
    );
  }

  /** "1020 copy", "20 hardlink, 3 copy": how files were made, for the log. */
  summary(): string {
    return [...this.counts].map(([type, n]) => `${n} ${type}`).join(', ');
  }
}

/**
 * Links are made synchronously, like the pull's other metadata calls: a few microseconds in the
 * kernel, less than a trip through libuv's threadpool. Copies, which move data, stay async.
 */
async function make(type: LinkType, from: string, to: string): Promise<void> {
  switch (type) {
    case 'reflink':
      await copyFile(from, to, fsConstants.COPYFILE_FICLONE_FORCE);
      return ownerWritable(to);
    case 'copy':
      await copyFile(from, to);
      return ownerWritable(to);
    case 'hardlink':
      chmodSync(from, 0o444);
      return linkSync(from, to);
    case 'symlink':
      // DVC links to the cache file's absolute path, so moving the link keeps it valid.
      chmodSync(from, 0o444);
      return symlinkSync(resolve(from), to);
  }
}

/**
 * A copy is the user's to edit, as DVC leaves it, even when the cache file it came from is read-only
 * (DVC's own cache files are 0444): copyFile carries the source's mode over.
 */
function ownerWritable(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if (!(mode & 0o200)) chmodSync(path, mode | 0o200);
}
