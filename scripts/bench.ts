/**
 * `npm run bench`: runs every bench/<area>.ts module and prints one table (what, figure, baseline,
 * ratio, target). Figures are measured on this machine; nothing here asserts on time.
 * `npm run bench -- dvc image` runs only those areas.
 */
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow } from '../bench/types.js';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const only = process.argv.slice(2);
const areas = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && f !== 'types.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((a) => only.length === 0 || only.includes(a))
  .sort();

const rows: (BenchRow & { area: string })[] = [];
for (const area of areas) {
  process.stderr.write(`bench: ${area}...\n`);
  try {
    const mod = (await import(pathToFileURL(join(benchDir, `${area}.ts`)).href)) as { default: () => Promise<BenchRow[]> };
    for (const r of await mod.default()) rows.push({ area, ...r });
  } catch (e) {
    rows.push({ area, what: 'FAILED', figure: e instanceof Error ? e.message.split('\n')[0]! : String(e) });
  }
}

const header = ['area', 'what', 'figure', 'baseline', 'ratio', 'target'] as const;
const table = [header.map(String), ...rows.map((r) => header.map((h) => String(r[h] ?? '')))];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(line(table[0]!));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of table.slice(1)) console.log(line(row));
if (rows.some((r) => r.what === 'FAILED')) process.exitCode = 1;
