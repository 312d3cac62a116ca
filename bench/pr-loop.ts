/**
 * The pull-request loop: cold start of the metric-gate and cml-report bundles to exit (a real run on
 * the example project against the GitHub API fake, median of 10) next to `node -e 0`; GitHub API
 * requests per sticky-comment update; bundle sizes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { upsertStickyComment } from '../src/lib/github/comments.js';
import { createOctokit } from '../src/lib/github/octokit.js';
import { silentLogger } from '../src/lib/log.js';
import { openExamplePr } from '../test/fixtures/example-project.js';
import { startGitHubFake } from '../test/harness/github-fake/index.js';
import { repoRoot, runAction } from '../test/harness/runner.js';
import { cleanupTempDirs } from '../test/harness/tmp.js';
import type { BenchRow } from './types.js';

const RUNS = 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (n: number) => `${n.toFixed(0)} ms`;

function nodeBaseline(): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    times.push(performance.now() - t);
  }
  return median(times);
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const fake = await startGitHubFake();
  try {
    const base = nodeBaseline();
    rows.push({ what: 'node -e 0 (median of 10)', figure: ms(base) });

    const pr = await openExamplePr(fake, { repo: 'acme/bench', mlopsYml: 'artifact: churn-model\ngates:\n  - metric: roc_auc.test\n    min: 0.9\n    max_drop: 0.01\n' });
    const run = (name: string, inputs: Record<string, string> = {}) =>
      runAction(name, {
        workspace: pr.dir,
        repository: pr.repo,
        event: { name: 'pull_request', payload: pr.payload },
        apiUrl: fake.url,
        inputs,
        env: { MLOPS_GITHUB_PACING: 'false' },
      });
    for (const [name, inputs] of [
      ['metric-gate', {}],
      ['cml-report', { plots: 'false' }],
      ['cml-report', { plots: 'true', 'image-host': 'none' }],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await run(name, inputs);
        if (r.code !== 0) throw new Error(`${name} failed: ${r.stderr.slice(-500)}`);
        times.push(r.durationMs);
      }
      const m = median(times);
      const label = name === 'cml-report' ? `${name} (plots ${inputs.plots})` : name;
      rows.push({ what: `${label}: cold start to exit, full run on the example PR (median of 10)`, figure: ms(m), baseline: ms(base), ratio: `${(m / base).toFixed(2)}x` });
    }

    // Requests per sticky update, counted on the fake.
    const octokit = createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger });
    const sticky = { owner: 'acme', repo: 'bench', issueNumber: pr.number, id: 'bench', logger: silentLogger };
    await upsertStickyComment(octokit, { ...sticky, body: 'first' });
    fake.clearLog();
    await upsertStickyComment(octokit, { ...sticky, body: 'second' });
    rows.push({ what: 'API requests per sticky update, comment on page 1', figure: String(fake.requests.length), target: '2 (1 list page + 1 write)' });

    const many = await fake.createPull('acme/bench', { head: pr.experimentBranch, base: pr.baseBranch, title: 'busy PR' }).catch(() => undefined);
    const issue = many?.number ?? (await fake.createIssue('acme/bench', { title: 'busy' })).number;
    const post = (body: string) =>
      octokit.rest.issues.createComment({ owner: 'acme', repo: 'bench', issue_number: issue, body });
    for (let i = 0; i < 200; i++) await post(`comment ${i}`);
    await upsertStickyComment(octokit, { ...sticky, issueNumber: issue, body: 'ours' });
    for (let i = 0; i < 49; i++) await post(`later ${i}`);
    fake.clearLog();
    await upsertStickyComment(octokit, { ...sticky, issueNumber: issue, body: 'ours, updated' });
    rows.push({ what: 'API requests per sticky update, 250 comments, ours on page 3', figure: String(fake.requests.length), target: '4 (3 list pages + 1 write)' });
  } finally {
    await fake.close();
    await cleanupTempDirs();
  }

  for (const name of ['metric-gate', 'cml-report']) {
    const js = statSync(join(repoRoot, 'dist', name, 'index.js')).size;
    const all = dirSize(join(repoRoot, 'dist', name));
    rows.push({
      what: `bundle size ${name} (index.js; whole folder)`,
      figure: `${(js / 1048576).toFixed(2)} MB; ${(all / 1048576).toFixed(2)} MB`,
      target: name === 'metric-gate' ? '< 1.5 MB' : 'plots action (wasm + font)',
    });
  }
  return rows;
}
