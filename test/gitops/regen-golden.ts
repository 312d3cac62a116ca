/** Rewrite every <file>.expected from the current editors: `npx tsx test/gitops/regen-golden.ts`, then review the diff. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenCases, runGolden } from './golden.js';

for (const c of goldenCases()) {
  const input = readFileSync(join(c.dir, c.file), 'utf8');
  writeFileSync(join(c.dir, `${c.file}.expected`), runGolden(c, input).content);
  console.log(c.name);
}
