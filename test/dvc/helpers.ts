/** Shared by the dvc tests: a Python md5 reference, a capturing logger, workspace snapshots. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Logger } from '../../src/lib/log.js';

/** md5 of bytes computed by Python's hashlib (mode md5) or DVC 2.x's dos2unix rule, via dvc_fixture.py. */
export function pyHash(data: Buffer, legacy = false): string {
  return pyHashes([data], legacy)[0]!;
}

/** Several at once (one python3 process). */
export function pyHashes(items: Buffer[], legacy = false): string[] {
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
  const code = [
    'import sys, base64, hashlib, json',
    `sys.path.insert(0, ${JSON.stringify(fixtures)})`,
    'import dvc_fixture as f',
    'items = [base64.b64decode(x) for x in json.load(sys.stdin)]',
    `print(json.dumps([f.md5_dos2unix(d) if ${legacy ? 'True' : 'False'} else hashlib.md5(d).hexdigest() for d in items]))`,
  ].join('\n');
  const r = spawnSync('python3', ['-c', code], { input: JSON.stringify(items.map((d) => d.toString('base64'))), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

/** Every listed workspace file holds the bytes whose md5 the reference computed (read through links). */
export function expectData(root: string, files: Record<string, { md5: string }>): void {
  const paths = Object.keys(files).sort();
  expect(pyHashes(paths.map((p) => readFileSync(join(root, p))))).toEqual(paths.map((p) => files[p]!.md5));
}

export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    debug: (m) => lines.push(`debug: ${m}`),
    warning: (m) => lines.push(`warning: ${m}`),
  };
}

/** Every file under `dir` (posix relative path -> bytes), skipping `skip` top-level names. */
export function snapshot(dir: string, skip: string[] = ['.dvc', '.git']): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (!rel && skip.includes(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out.set(p, Buffer.from(`symlink -> ${readlinkSync(join(dir, p))}`));
      else out.set(p, readFileSync(join(dir, p)));
    }
  };
  walk('');
  return out;
}

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
