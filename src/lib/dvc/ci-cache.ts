/**
 * A pull wrapped in a CI cache of `.dvc/cache` (the Actions cache in the dvc-pull action): restore
 * keyed on the hashes of every selected out, with a prefix restore key for partial hits; pull; save
 * under the exact key when something had to be downloaded. The cache service is passed in, so this
 * stays free of @actions/* and runs in tests against any implementation.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { messageOf } from '../errors.js';
import { type Logger, silentLogger } from '../log.js';
import { collectOuts, pull, type PullOptions, type PullResult } from './pull.js';
import type { Selection } from './outs.js';

export interface CacheService {
  /** Restore `paths`; returns the key that matched (exact or a restore-key prefix), or undefined. */
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  save(paths: string[], key: string): Promise<void>;
}

export interface CachedPullResult extends PullResult {
  /** The exact key was restored: nothing needed downloading. */
  cacheHit: boolean;
  cacheKey: string;
  restoredKey?: string;
  saved: boolean;
}

export const CACHE_KEY_PREFIX = 'mlops-dvc-v1-';

/** Key over what is pulled: every selected out's hash kind, md5 and (for granular targets) the sub-paths. */
export function dvcCacheKey(selections: Selection[]): string {
  const lines = selections.map((s) => `${s.out.hashMode}:${s.out.md5}${s.out.isDir ? '.dir' : ''}${s.within ? `:${[...s.within].sort().join(',')}` : ''}`);
  const digest = createHash('sha256').update([...new Set(lines)].sort().join('\n')).digest('hex');
  return `${CACHE_KEY_PREFIX}${digest}`;
}

export async function pullWithCache(opts: PullOptions & { cache: CacheService; cwd: string }): Promise<CachedPullResult> {
  const log: Logger = opts.logger ?? silentLogger;
  const { config, selections } = await collectOuts(opts.root, opts.targets ?? []);
  const key = dvcCacheKey(selections);
  // The cache service stores paths as given: keep them relative to the workspace so keys match across runners.
  const rel = relative(opts.cwd, config.cacheDir);
  const paths = [rel && !rel.startsWith('..') ? rel.split(sep).join('/') : config.cacheDir];
  const before = listFiles(config.cacheDir);

  let restoredKey: string | undefined;
  try {
    restoredKey = await opts.cache.restore(paths, key, [CACHE_KEY_PREFIX]);
  } catch (e) {
    log.warning(`could not restore the DVC cache (${messageOf(e)}); pulling from the remote`);
  }
  const cacheHit = restoredKey === key;
  if (restoredKey) log.info(`restored ${paths[0]} from cache key ${restoredKey}${cacheHit ? '' : ' (partial)'}`);

  const result = await pull(opts);

  let saved = false;
  if (result.downloadedObjects > 0 && !cacheHit) {
    // Drop what an older entry brought in and this pull does not use, so entries do not grow forever;
    // objects that were here before the restore belong to the user and stay.
    const keep = new Set(result.objectPaths);
    const stale = restoredKey ? [...listFiles(config.cacheDir)].filter((f) => !keep.has(f) && !before.has(f) && isObjectPath(config.cacheDir, f)) : [];
    await Promise.all(stale.map((f) => rm(f, { force: true })));
    if (stale.length) log.info(`pruned ${stale.length} cached object(s) not used by this pull before saving`);
    try {
      await opts.cache.save(paths, key);
      saved = true;
      log.info(`saved ${paths[0]} to cache key ${key}`);
    } catch (e) {
      log.warning(`could not save the DVC cache: ${messageOf(e)}`);
    }
  }
  return { ...result, cacheHit, cacheKey: key, restoredKey, saved };
}

function isObjectPath(cacheDir: string, file: string): boolean {
  const parts = relative(cacheDir, file).split(sep);
  return (parts[0] === 'files' && parts[1] === 'md5') || (parts.length === 2 && /^[0-9a-f]{2}$/.test(parts[0]!));
}

/** Every file under `dir` (absolute paths); empty when it does not exist. */
function listFiles(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.add(p);
    }
  };
  walk(dir);
  return out;
}
