// One ncc bundle of an entry into a folder: index.js, its assets, and, when the bundle carries the
// plot renderer (resvg's .wasm among its assets), png-worker.js: the PNG worker thread's own small
// bundle (src/lib/plots/png-pool.ts looks for it next to the bundle). Used by scripts/build.mjs for
// dist/ and by bench/plots.ts, so the bench measures what ships.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNG_WORKER = join(root, 'src/lib/plots/png-worker.ts');

async function compile(file, { minify, license }) {
  // ncc only relocates assets (the .wasm, the font) under the working directory: the repo root.
  const cwd = process.cwd();
  process.chdir(root);
  try {
    // transpileOnly: `npm run typecheck` owns type errors; a bundle must not depend on unrelated files.
    return await ncc(file, { transpileOnly: true, minify, sourceMap: false, quiet: true, target: 'es2022', ...(license ? { license } : {}) });
  } catch (e) {
    // ncc's own stack is a dump of its minified source: keep only what went wrong.
    throw new Error(`build of ${file} failed: ${String(e?.message ?? e).split('\n    at ')[0]}`);
  } finally {
    process.chdir(cwd);
  }
}

/**
 * Bundle `entry` into `out` (emptied first). Returns the files written, name -> bytes.
 * opts: { minify, license (file name for the licenses of bundled packages), banner (prepended to index.js) }
 */
export async function bundle(entry, out, { minify = true, license, banner = '' } = {}) {
  const { code, assets } = await compile(entry, { minify, license });
  const files = { 'index.js': banner + code.replace(/^#!.*\n/, '') };
  for (const [name, { source }] of Object.entries(assets)) files[name] = source;
  if ('index_bg.wasm' in assets) {
    // No license file of its own: what it bundles (resvg) is in the main bundle's list already.
    const worker = await compile(PNG_WORKER, { minify });
    for (const [name, { source }] of Object.entries(worker.assets)) {
      // It finds the .wasm and the font next to itself: the same files the main bundle carries.
      if (!(name in assets) || !Buffer.from(source).equals(Buffer.from(assets[name].source))) {
        throw new Error(`png-worker asset ${name} is not one of ${entry}'s assets`);
      }
    }
    files['png-worker.js'] = worker.code;
  }
  rmSync(out, { recursive: true, force: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), content, name === 'index.js' ? { mode: 0o755 } : undefined);
  }
  return files;
}
