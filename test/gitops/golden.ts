/** Golden cases: test/gitops/golden/<case>/{case.json, <file>, <file>.expected}. Shared by the test and `regen`. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkUpdate, editImage } from '../../src/lib/gitops/edit.js';
import type { EditOptions, GitopsFormat } from '../../src/lib/gitops/types.js';

export const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export interface GoldenCase {
  name: string;
  dir: string;
  file: string;
  spec: { format: GitopsFormat; file?: string; image: string; newName?: string; tag?: string; digest?: string } & EditOptions;
}

export function goldenCases(): GoldenCase[] {
  return readdirSync(goldenDir).map((name) => {
    const dir = join(goldenDir, name);
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as GoldenCase['spec'];
    const file = spec.file ?? readdirSync(dir).find((f) => f !== 'case.json' && !f.endsWith('.expected'))!;
    return { name, dir, file, spec };
  });
}

export function runGolden(c: GoldenCase, input: string) {
  const { format, image, newName, tag, digest, create, helm, policy } = c.spec;
  return editImage(format, input, c.file, checkUpdate({ image, newName, tag, digest }), { create, helm, policy });
}
