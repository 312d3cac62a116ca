/**
 * dist/cml-report run as the runner runs it, against the GitHub API fake: one sticky comment per PR and
 * report id, whatever the number of comments, re-runs and concurrent runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faults, startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { runAction, type RunOptions } from '../harness/runner.js';
import { cleanupTempDirs } from '../harness/tmp.js';
import { openExamplePr, type ExamplePr, type ExampleProjectOptions } from '../fixtures/example-project.js';

const MARKER = '<!-- mlops-actions:report:metrics -->';
const CONFIG = `artifact: churn-model
gates:
  - metric: roc_auc.test
    min: 0.9
`;

let fake: GitHubFake;

beforeAll(async () => {
  fake = await startGitHubFake();
});
afterAll(async () => {
  await fake.close();
  await cleanupTempDirs();
});
beforeEach(() => fake.clearFaults());
afterEach(() => {
  expect(fake.invalid).toEqual([]);
  expect(fake.unimplemented).toEqual([]);
});

let n = 0;
async function open(opts: ExampleProjectOptions & { fork?: string } = {}): Promise<ExamplePr> {
  n++;
  return openExamplePr(fake, { repo: `acme/report-${n}`, mlopsYml: CONFIG, ...opts, fork: opts.fork ? `${opts.fork}/report-${n}` : undefined });
}

function report(p: ExamplePr, opts: RunOptions = {}) {
  return runAction('cml-report', {
    workspace: p.dir,
    repository: p.repo,
    event: { name: 'pull_request', payload: p.payload },
    apiUrl: fake.url,
    ...opts,
    // Plots have their own tests; here they would only slow the runs down.
    inputs: { plots: 'false', ...opts.inputs },
    env: { MLOPS_GITHUB_PACING: 'false', ...opts.env },
  });
}

async function postComments(p: ExamplePr, count: number, body = (i: number) => `comment ${i}`) {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${fake.url}/repos/${p.repo}/issues/${p.number}/comments`, {
      method: 'POST',
      headers: { authorization: 'token test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ body: body(i) }),
    });
    expect(res.status).toBe(201);
  }
}

const ours = (p: ExamplePr) => fake.comments(p.repo, p.number).filter((c) => c.body.startsWith(MARKER));
const commentCalls = () => fake.requests.filter((r) => r.operationId?.includes('comment'));

describe('cml-report', () => {
  it('creates one sticky comment, writes summary, report.md and report.html; a re-run updates it in place', async () => {
    const p = await open();
    const r = await report(p);
    expect(r.code, r.stderr).toBe(0);
    const [c] = ours(p);
    expect(c).toBeDefined();
    expect(r.outputs['comment-url']).toBe(`https://github.com/${p.repo}/pull/${p.number}#issuecomment-${c!.id}`);
    expect(c!.body).toContain('## Metrics report');
    expect(c!.body).toContain('✅ **Gate passed:** 1/1 rules passed');
    expect(c!.body).toContain('| Path | Metric | main | ' + p.headSha.slice(0, 7) + ' | Change |');
    expect(c!.body).toContain('| params.yaml | train.n_est | 50 | 100 |');
    expect(c!.body).toContain('Commit `' + p.headSha.slice(0, 7) + '`');
    expect(c!.body).toMatch(/\[workflow run\]\(https:\/\/github\.com\/acme\/report-\d+\/actions\/runs\/\d+\)/);
    // The same markdown goes to the summary and to report-path; HTML next to it.
    const markdown = c!.body.slice(MARKER.length + 1);
    expect(r.summary.trimEnd()).toBe(markdown.trimEnd());
    expect(r.outputs['report-path']).toBe(join(p.dir, 'mlops-report/report.md'));
    expect(readFileSync(r.outputs['report-path']!, 'utf8')).toBe(markdown);
    const html = readFileSync(join(p.dir, 'mlops-report/report.html'), 'utf8');
    expect(html).toMatch(/<td style="text-align:left">roc_auc.test<\/td>/);

    // Second run with new metrics: same comment edited, list + 1 write.
    writeMetrics(p, 0.97);
    fake.clearLog();
    const again = await report(p);
    expect(again.code, again.stderr).toBe(0);
    expect(ours(p)).toHaveLength(1);
    expect(ours(p)[0]!.id).toBe(c!.id);
    expect(ours(p)[0]!.body).toContain('| eval/metrics.json | roc_auc.test | 0.94602 | 0.97 |');
    expect(commentCalls().map((q) => q.operationId)).toEqual(['issues/list-comments', 'issues/update-comment']);
  });

  it('a PR with 250 comments where ours is on page 3: updated, not duplicated (3 list pages + 1 write)', async () => {
    const p = await open();
    await postComments(p, 200);
    expect((await report(p)).code).toBe(0);
    await postComments(p, 49, (i) => `later ${i}\n${i === 0 ? '> quoting <!-- mlops-actions:report:metrics --> is not ours' : ''}`);
    expect(fake.comments(p.repo, p.number)).toHaveLength(250);
    const id = ours(p)[0]!.id;
    writeMetrics(p, 0.99);
    fake.clearLog();
    const r = await report(p);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.comments(p.repo, p.number)).toHaveLength(250);
    expect(ours(p).map((c) => c.id)).toEqual([id]);
    expect(ours(p)[0]!.body).toContain('| 0.99 |');
    const calls = commentCalls();
    expect(calls.map((q) => [q.operationId, q.query.page ?? '1'])).toEqual([
      ['issues/list-comments', '1'],
      ['issues/list-comments', '2'],
      ['issues/list-comments', '3'],
      ['issues/update-comment', '1'],
    ]);
    expect(calls.every((q) => q.operationId !== 'issues/list-comments' || q.query.per_page === '100')).toBe(true);
  });

  it('two concurrent runs end with one comment (the oldest wins)', async () => {
    const p = await open();
    // Hold both creates (the fake applies them after the delay) so that each run's first listing
    // happens before the other's comment exists: both create one, as two racing jobs do.
    fake.fault({ operationId: 'issues/create-comment', delayMs: 5000, times: 2 });
    fake.clearLog();
    const [a, b] = await Promise.all([report(p), report(p)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    // Normally both create (the race); on a very slow machine the second may already see the first.
    // Either way every comment created beyond the first was deleted again. (The protocol itself is
    // tested deterministically in test/unit/report.test.ts.)
    const creates = fake.count('issues/create-comment');
    expect(creates).toBeGreaterThanOrEqual(1);
    expect(fake.count('issues/delete-comment')).toBe(creates - 1);
    const left = ours(p);
    expect(left).toHaveLength(1);
    expect(fake.comments(p.repo, p.number)).toHaveLength(1);
    expect([a.outputs['comment-url'], b.outputs['comment-url']]).toEqual([expect.stringContaining(`#issuecomment-${left[0]!.id}`), expect.stringContaining(`#issuecomment-${left[0]!.id}`)]);
  });

  it('cleans up duplicates left by an earlier tool run', async () => {
    const p = await open();
    await postComments(p, 2, () => `${MARKER}\nold`);
    const r = await report(p);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(p)).toHaveLength(1);
    expect(ours(p)[0]!.body).toContain('## Metrics report');
  });

  it('a body over 65,536 characters is truncated cleanly with a note', async () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) big[`layer_${String(i).padStart(4, '0')}.weight_norm`] = i + 0.123456789;
    const p = await open({ head: { files: { 'eval/weights.json': JSON.stringify(big) } } });
    const r = await report(p, { inputs: { metrics: 'eval/metrics.json\neval/weights.json' } });
    expect(r.code, r.stderr).toBe(0);
    const [c] = ours(p);
    expect(c!.body.length).toBeLessThanOrEqual(65_536);
    expect(c!.body).toMatch(/This report was truncated to fit GitHub's 65,536-character comment limit/);
    expect(c!.body).toContain('</details>');
    // The full report is still in the summary and on disk.
    expect(r.summary.length).toBeGreaterThan(65_536);
    expect(r.summary).toContain('layer_2999.weight_norm');
  });

  it('500 then success on the comment write is retried', async () => {
    const p = await open();
    fake.fault({ operationId: 'issues/create-comment', ...faults.serverError(502) });
    fake.clearLog();
    const r = await report(p);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(p)).toHaveLength(1);
  });

  it('a fork PR with a read-only token: clear error, report still on disk and in the summary', async () => {
    fake.addToken('ro-token', { contents: 'read', issues: 'read', pull_requests: 'read', statuses: 'read' });
    const p = await open({ fork: 'someone' });
    const r = await report(p, { token: 'ro-token' });
    expect(r.code).toBe(1);
    const err = r.annotations.find((a) => a.level === 'error')!;
    expect(err.message).toMatch(/post the report on #\d+: GitHub answered 403/);
    expect(err.message).toMatch(/comes from a fork/);
    expect(err.message).toMatch(/workflow_run/);
    expect(existsSync(join(p.dir, 'mlops-report/report.md'))).toBe(true);
    expect(r.summary).toContain('## Metrics report');
    expect(r.outputs['report-path']).toBe(join(p.dir, 'mlops-report/report.md'));
    expect(fake.comments(p.repo, p.number)).toEqual([]);
  });

  it('malformed metrics: the report shows the problem and a warning points at file:line', async () => {
    const p = await open({ head: { metricsText: '{\n  "roc_auc": {"test": 0.95,}\n}\n' } });
    const r = await report(p);
    expect(r.code, r.stderr).toBe(0);
    expect(r.annotations).toContainEqual(expect.objectContaining({ level: 'warning', file: 'eval/metrics.json', line: 2 }));
    expect(ours(p)[0]!.body).toContain('### ⚠️ Problems');
    expect(ours(p)[0]!.body).toContain('❌ **Gate failed:**');
  });

  it('compares with the serving model when serving-ref is given', async () => {
    const p = await open();
    const r = await report(p, { inputs: { 'serving-ref': p.baseSha, 'serving-label': 'production v1.4.0' } });
    expect(r.code, r.stderr).toBe(0);
    const body = ours(p)[0]!.body;
    expect(body).toContain(`### Metrics vs serving model production v1.4.0 (${p.baseSha.slice(0, 7)})`);
    expect(body).toContain(`| Path | Metric | serving ${p.baseSha.slice(0, 7)} | ${p.headSha.slice(0, 7)} | Change |`);
  });

  it('plots: PNGs hosted on the assets branch and linked; without contents: write, native charts and a note', async () => {
    const p = await open();
    const r = await report(p, { inputs: { plots: 'true', 'image-host': 'branch' } });
    expect(r.code, r.stderr).toBe(0);
    const body = ours(p)[0]!.body;
    const assets = await fake.resolve(p.repo, 'refs/heads/mlops-assets');
    expect(assets).toBeDefined();
    expect(body).toContain('### Plots');
    expect(body).toContain(`![ROC](https://github.com/${p.repo}/blob/${assets}/${p.number}/${p.headSha}/ROC.png?raw=true)`);
    const html = readFileSync(join(p.dir, 'mlops-report/report.html'), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(4);

    // A new commit (images not on the branch yet) and a token that cannot write contents.
    writeMetrics(p, 0.9);
    execFileSync('git', ['commit', '-qam', 'retrain'], { cwd: p.dir, env: { ...process.env, GIT_AUTHOR_NAME: 'a', GIT_AUTHOR_EMAIL: 'a@b', GIT_COMMITTER_NAME: 'a', GIT_COMMITTER_EMAIL: 'a@b' } });
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: p.dir, encoding: 'utf8' }).trim();
    const payload = structuredClone(p.payload) as { pull_request: { head: { sha: string } } };
    payload.pull_request.head.sha = sha;
    fake.addToken('no-contents', { contents: 'read', issues: 'write', pull_requests: 'write', statuses: 'write' });
    const again = await report(p, {
      event: { name: 'pull_request', payload }, token: 'no-contents', inputs: { plots: 'true', 'image-host': 'branch' } });
    expect(again.code, again.stderr).toBe(0);
    const fallback = ours(p)[0]!.body;
    expect(fallback).toContain('```mermaid');
    expect(fallback).toMatch(/Plot images could not be hosted \(cannot commit report images .*contents: write/);
    expect(ours(p)).toHaveLength(1);
    // The images are on disk next to the report for upload-artifact, since they could not be hosted.
    const plotsDir = join(dirname(again.outputs['report-path']!), 'plots');
    expect(readdirSync(plotsDir).filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);
  });

  it('report ids keep separate comments', async () => {
    const p = await open();
    expect((await report(p)).code).toBe(0);
    expect((await report(p, { inputs: { 'report-id': 'nightly', title: 'Nightly eval' } })).code).toBe(0);
    const all = fake.comments(p.repo, p.number);
    expect(all).toHaveLength(2);
    expect(all[1]!.body.startsWith('<!-- mlops-actions:report:nightly -->\n## Nightly eval')).toBe(true);
  });
});

function writeMetrics(p: ExamplePr, rocTest: number) {
  const path = join(p.dir, 'eval/metrics.json');
  const m = JSON.parse(readFileSync(path, 'utf8'));
  m.roc_auc.test = rocTest;
  // Written by the "training job" in the workspace; the report reads the workspace as the head.
  writeFileSync(path, JSON.stringify(m, null, 4));
}
