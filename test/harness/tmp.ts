/**
 * Temp directories for tests and the harness. Every directory made here is removed by
 * `cleanupTempDirs()`, which is also registered as an afterAll of every test file that imports this
 * module (directly or through the harness), and as a last resort when the process exits normally
 * (vitest ends its workers with a signal, so that alone would leak). `withTempDir` scopes one to a callback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A fresh empty directory under os.tmpdir(), removed at cleanup. */
export async function makeTempDir(prefix = 'mlops-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export function makeTempDirSync(prefix = 'mlops-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Remove one directory now (and forget it). */
export async function removeTempDir(dir: string): Promise<void> {
  made.delete(dir);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Remove every directory made so far; call from afterAll. */
export async function cleanupTempDirs(): Promise<void> {
  const dirs = [...made];
  made.clear();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true, maxRetries: 3 })));
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>, prefix?: string): Promise<T> {
  const dir = await makeTempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    await removeTempDir(dir);
  }
}

// Registered while the importing test file is being collected; its after-hooks run last (stack order).
if (process.env.VITEST) {
  try {
    const { afterAll } = await import('vitest');
    afterAll(cleanupTempDirs);
  } catch {
    // imported outside a test file's collection (e.g. from a setup file): rely on explicit cleanup
  }
}

process.once('exit', () => {
  for (const d of made) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
});
