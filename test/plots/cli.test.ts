import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeRepo } from './fixtures.js';
import { decodePng } from './png.js';

const root = join(import.meta.dirname, '../..');
let repo: ReturnType<typeof makeRepo>;
beforeAll(() => (repo = makeRepo()));
afterAll(() => repo.cleanup());

it('mlops plots --rev main renders main vs the working tree into --out', () => {
  const res = spawnSync(process.execPath, ['--import', join(root, 'node_modules/tsx/dist/esm/index.mjs'), join(root, 'src/cli/index.ts'), 'plots', '--rev', 'main', '--out', 'out'], {
    cwd: repo.dir,
    encoding: 'utf8',
  });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout.trim().split('\n')).toEqual([
    'out/ROC.png',
    'out/ROC.svg',
    'out/Confusion-Matrix.png',
    'out/Confusion-Matrix.svg',
    'out/Precision-Recall.png',
    'out/Precision-Recall.svg',
    'out/eval-importance-main.png',
    'out/eval-importance-workspace.png',
    'out/dvclive-plots-metrics-train-loss.png',
    'out/dvclive-plots-metrics-train-loss.svg',
    'out/index.html',
  ]);
  expect(decodePng(readFileSync(join(repo.dir, 'out/ROC.png'))).width).toBeGreaterThan(500);
  const html = readFileSync(join(repo.dir, 'out/index.html'), 'utf8');
  expect(html.match(/<svg/g)).toHaveLength(4);
  expect(html.includes('>main</text>') && html.includes('>workspace</text>')).toBe(true);
  expect(existsSync(join(repo.dir, 'out/eval-importance-workspace.png'))).toBe(true);
});
