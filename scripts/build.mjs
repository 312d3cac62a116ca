// Bundles every entry in src/actions/*.ts into dist/<name>/index.js and the CLI into dist/cli/index.js
// with @vercel/ncc (see ./bundle.mjs). Output is deterministic so CI can rebuild and `git diff --exit-code dist/`.
import { readdirSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

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
  const files = await bundle(file, join(root, 'dist', name), {
    // Minified: halves the bundles (node24 cold start and the < 1.5 MB target); dist is generated, not read.
    minify: true,
    license: 'licenses.txt',
    banner: name === 'cli' ? '#!/usr/bin/env node\n' : '',
  }).catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
  const worker = files['png-worker.js'] ? ` (+ png-worker.js ${(Buffer.byteLength(files['png-worker.js']) / 1024).toFixed(0)} KiB)` : '';
  console.log(`${name.padEnd(16)} ${(Buffer.byteLength(files['index.js']) / 1024).toFixed(0).padStart(6)} KiB${worker}`);
}
