/**
 * `npm run demo`: the whole lifecycle on embedded backends (test/e2e/lifecycle.ts), then a timeline
 * table on stdout and demo-out/index.html: every pull request as a reviewer sees it (report comments
 * with their plots, statuses, promotion PR bodies) and the final registry and environments.
 */
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLifecycle } from '../test/e2e/lifecycle.js';
import { indexHtml } from './demo-page.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.env.MLOPS_DEMO_OUT ?? join(root, 'demo-out');

const started = Date.now();
const result = await runLifecycle({ outDir, log: (l) => process.stderr.write(`${l}\n`) });
writeFileSync(join(outDir, 'index.html'), indexHtml(result));
writeFileSync(join(outDir, 'result.json'), `${JSON.stringify({ ...result, prs: result.prs.map((p) => ({ ...p, reports: p.reports.length })) }, null, 2)}\n`);

const header = ['step', 'result', 'version', 'digest', 'time'];
const table = [header, ...result.timeline.map((t) => [t.step, t.result, t.version ?? '', t.digest ? `${t.digest.slice(0, 19)}…` : '', `${t.ms} ms`])];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(table[0]!));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
console.log(`\nregistry: ${JSON.stringify(result.show.artifacts)}`);
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s — open ${join(outDir, 'index.html')}`);
