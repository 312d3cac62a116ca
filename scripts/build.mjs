// Bundles every entry in src/actions/*.ts into dist/<name>/index.js and the CLI into dist/cli/index.js
// with @vercel/ncc. Output is deterministic so CI can rebuild and `git diff --exit-code dist/`.
import { readdirSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

const entries = readdirSync(join(root, 'src/actions'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ name: f.replace(/\.ts$/, ''), file: join(root, 'src/actions', f) }));
if (existsSync(join(root, 'src/cli/index.ts'))) entries.push({ name: 'cli', file: join(root, 'src/cli/index.ts') });

mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist/package.json'), '{\n  "type": "module"\n}\n');

for (const { name, file } of entries) {
  if (only.length && !only.includes(name)) continue;
  const out = join(root, 'dist', name);
  // transpileOnly: `npm run typecheck` owns type errors; a bundle must not depend on unrelated files.
  const built = await ncc(file, {
    transpileOnly: true,
    // Minified: halves the bundles (node24 cold start and the < 1.5 MB target); dist is generated, not read.
    minify: true,
    sourceMap: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  }).catch((e) => {
    // ncc's own stack is a dump of its minified source: print only what went wrong.
    console.error(`build of ${name} failed: ${String(e?.message ?? e).split('\n    at ')[0]}`);
    process.exit(1);
  });
  const { code, assets } = built;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const banner = name === 'cli' ? '#!/usr/bin/env node\n' : '';
  writeFileSync(join(out, 'index.js'), banner + code.replace(/^#!.*\n/, ''), { mode: 0o755 });
  for (const [asset, { source }] of Object.entries(assets)) {
    mkdirSync(dirname(join(out, asset)), { recursive: true });
    writeFileSync(join(out, asset), source);
  }
  const size = readFileSync(join(out, 'index.js')).length;
  console.log(`${name.padEnd(16)} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
}
