/**
 * Regenerates docs/plots/<template>.png (one rendered example per built-in template, head vs base)
 * from the generated example project: `npx tsx test/plots/make-docs.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlots, renderPlots } from '../../src/lib/plots/index.js';
import { makeRepo, TEMPLATE_PLOTS } from './fixtures.js';

const out = process.argv[2] ?? join(import.meta.dirname, '../../docs/plots');
const { dir, cleanup } = makeRepo();
try {
  const set = await loadPlots({ cwd: dir, dvcYaml: false, mlopsPlots: TEMPLATE_PLOTS, revs: [{ name: 'base', ref: 'main' }, { name: 'head' }] });
  mkdirSync(out, { recursive: true });
  for (const p of await renderPlots(set)) {
    if (!p.png || p.problems.length) throw new Error(`${p.id}: ${p.problems.map((q) => q.message).join('; ')}`);
    writeFileSync(join(out, `${p.id}.png`), p.png);
    console.log(`${p.id}.png ${p.width}x${p.height} ${p.png.length} bytes ${p.notes.join('; ')}`);
  }
} finally {
  cleanup();
}
