import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gitIn, makeRepo } from './fixtures.js';
import { makeTempDirSync } from '../harness/tmp.js';
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

// The bundle is what users run: it carries png-worker.js, so PNGs come from a worker thread there.
const bundled = (cwd: string, ...args: string[]) =>
  // A hang (the worker keeping the process alive) ends as a SIGTERM here, not a stuck suite.
  spawnSync(process.execPath, [join(root, 'dist/cli/index.js'), ...args], { cwd, encoding: 'utf8', timeout: 30_000 });

it('the bundled CLI (dist/cli, PNGs from its worker thread) writes the same files and exits', () => {
  expect(existsSync(join(root, 'dist/cli/png-worker.js'))).toBe(true);
  const res = bundled(repo.dir, 'plots', '--rev', 'main', '--out', 'out-bundled');
  expect(res.signal).toBeNull();
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  for (const name of ['ROC', 'Confusion-Matrix', 'Precision-Recall', 'dvclive-plots-metrics-train-loss']) {
    const png = readFileSync(join(repo.dir, 'out-bundled', `${name}.png`));
    expect(decodePng(png).width, name).toBeGreaterThan(500);
  }
});

it('the bundled CLI with no plots declared says so and exits 0 (its idle PNG worker does not hold the process)', () => {
  const dir = makeTempDirSync('mlops-plots-none-');
  gitIn(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'dvc.yaml'), 'plots: []\n');
  const res = bundled(dir, 'plots');
  expect(res.signal).toBeNull();
  expect(res.stderr).toBe('no plots declared in dvc.yaml or mlops.yml\n');
  expect(res.status).toBe(0);
});
