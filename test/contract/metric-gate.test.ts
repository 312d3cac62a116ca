/**
 * dist/metric-gate run as the runner runs it, against the GitHub API fake, on a generated DVC
 * example project checked out at the PR head.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faults, startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { handlers } from '../harness/github-fake/routes.js';
import { runAction, type RunOptions } from '../harness/runner.js';
import { cleanupTempDirs } from '../harness/tmp.js';
import { openExamplePr, type ExamplePr, type ExampleProjectOptions } from '../fixtures/example-project.js';

const GATES = `artifact: churn-model
gates:
  - metric: roc_auc.test
    min: 0.9
    max_drop: 0.01
  - metric: avg_prec.test
    file: eval/metrics.json
    max_drop: 2%
`;

// Repository roles for the collaborator-permission lookup of the override check. The fake does not
// implement that route yet, so the test supplies it (GitHub's shape: permission + role_name).
const roles = new Map<string, string>();
const PERMISSION_OP = 'repos/get-collaborator-permission-level';
const ownPermissionRoute = !handlers[PERMISSION_OP];
if (ownPermissionRoute) {
  handlers[PERMISSION_OP] = (c) => {
    const login = c.params.username!;
    const role = roles.get(login);
    if (!role) return { status: 404, body: { message: `${login} is not a user`, documentation_url: 'https://docs.github.com/rest' } };
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    return { status: 200, body: { permission, role_name: role, user: { login, id: 7, type: 'User' } } };
  };
}

let fake: GitHubFake;
let pr: ExamplePr;

beforeAll(async () => {
  fake = await startGitHubFake();
});
afterAll(async () => {
  await fake.close();
  if (ownPermissionRoute) delete handlers[PERMISSION_OP];
  await cleanupTempDirs();
});
beforeEach(() => fake.clearFaults());
afterEach(() => {
  // Every request the actions made was a valid GitHub API call.
  expect(fake.invalid).toEqual([]);
  expect(fake.unimplemented).toEqual([]);
});

let repoCounter = 0;
async function open(opts: ExampleProjectOptions & { fork?: string } = {}): Promise<ExamplePr> {
  repoCounter++;
  return openExamplePr(fake, { repo: `acme/gate-${repoCounter}`, ...opts, fork: opts.fork ? `${opts.fork}/gate-${repoCounter}` : undefined });
}

function gate(p: ExamplePr, opts: RunOptions = {}) {
  return runAction('metric-gate', {
    workspace: p.dir,
    repository: p.repo,
    event: { name: 'pull_request', payload: p.payload },
    apiUrl: fake.url,
    ...opts,
    env: { MLOPS_GITHUB_PACING: 'false', ...opts.env },
  });
}

const errors = (r: Awaited<ReturnType<typeof gate>>) => r.annotations.filter((a) => a.level === 'error');

describe('metric-gate', () => {
  it('passes: success status on the PR head sha (not the merge sha), outputs and summary', async () => {
    pr = await open({ mlopsYml: GATES });
    const r = await gate(pr, { sha: 'a'.repeat(40) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ passed: 'true', 'failed-rules': '[]', 'overridden-by': '' });
    const statuses = fake.statuses(pr.repo);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ sha: pr.headSha, state: 'success', context: 'metric-gate', description: '2/2 rules passed' });
    expect(statuses[0]!.target_url).toMatch(/^https:\/\/github\.com\/acme\/gate-\d+\/actions\/runs\/\d+$/);
    expect(r.summary).toContain('✅ **Gate passed:** 2/2 rules passed');
    expect(r.summary).toContain('| eval/metrics.json | roc_auc.test | 0.94602 | 0.9512 | 0.0051787 |');
    expect(errors(r)).toEqual([]);
  });

  it('fails: failure status, failed-rules JSON, one error annotation, exit 1', async () => {
    pr = await open({ mlopsYml: GATES, head: { metrics: { roc_auc: { test: 0.93 } } } });
    const r = await gate(pr, { inputs: { 'status-context': 'ml/metric-gate' } });
    expect(r.code).toBe(1);
    expect(r.outputs.passed).toBe('false');
    const failed = JSON.parse(r.outputs['failed-rules']!);
    expect(failed).toEqual([
      {
        metric: 'roc_auc.test',
        file: 'eval/metrics.json',
        status: 'fail',
        value: 0.93,
        baseline: 0.9460213440787918,
        reason: 'roc_auc.test got worse by 0.016021 vs main (0.94602 -> 0.93), more than max_drop 0.01',
      },
    ]);
    expect(fake.statuses(pr.repo)[0]).toMatchObject({ sha: pr.headSha, state: 'failure', context: 'ml/metric-gate', description: '1 of 2 rules failed: roc_auc.test' });
    expect(errors(r).map((a) => a.message)).toEqual([expect.stringMatching(/^ml\/metric-gate failed: 1 of 2 rules failed: roc_auc.test \(roc_auc.test got worse/)]);
    expect(r.summary).toContain('❌ **Gate failed:**');
  });

  it('fail-on-error false reports the failure without failing the step', async () => {
    pr = await open({ mlopsYml: GATES, head: { metrics: { roc_auc: { test: 0.5 } } } });
    const r = await gate(pr, { inputs: { 'fail-on-error': 'false' } });
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('false');
    expect(fake.statuses(pr.repo)[0]!.state).toBe('failure');
    expect(r.annotations.some((a) => a.level === 'warning' && /fail-on-error is false/.test(a.message))).toBe(true);
  });

  it('a missing metric fails closed', async () => {
    pr = await open({ mlopsYml: GATES });
    const r = await gate(pr, { inputs: { rules: '- metric: test.f1\n  min: 0.5\n' } });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.outputs['failed-rules']!)).toEqual([{ metric: 'test.f1', status: 'missing', reason: 'test.f1 not found in eval/metrics.json' }]);
    expect(fake.statuses(pr.repo)[0]).toMatchObject({ state: 'failure', description: '1 of 1 rules failed: test.f1' });
  });

  it('NaN (as Python writes it) fails closed', async () => {
    pr = await open({
      mlopsYml: GATES,
      head: { metricsText: '{\n    "avg_prec": {"train": 0.97, "test": NaN},\n    "roc_auc": {"train": 0.98, "test": 0.95}\n}\n' },
    });
    const r = await gate(pr);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.outputs['failed-rules']!)).toEqual([
      { metric: 'avg_prec.test', file: 'eval/metrics.json', status: 'fail', value: 'nan', reason: 'avg_prec.test is NaN' },
    ]);
  });

  it('malformed metrics JSON: annotation at file and line, gate fails', async () => {
    pr = await open({ mlopsYml: GATES, head: { metricsText: '{\n  "roc_auc": {"test": 0.95},\n  "avg_prec": {"test": 0.93,}\n}\n' } });
    const r = await gate(pr);
    expect(r.code).toBe(1);
    const fileErr = errors(r).find((a) => a.file === 'eval/metrics.json');
    expect(fileErr).toMatchObject({ file: 'eval/metrics.json', line: 3 });
    expect(fileErr!.message).toMatch(/invalid JSON/);
    expect(fake.statuses(pr.repo)[0]!.state).toBe('failure');
    expect(JSON.parse(r.outputs['failed-rules']!).map((f: { metric: string }) => f.metric)).toEqual(['roc_auc.test', 'avg_prec.test']);
  });

  it('malformed mlops.yml: one annotation at file:line, error status, no verdict', async () => {
    pr = await open({ mlopsYml: 'artifact: churn-model\ngates:\n  - metric: roc_auc.test\n    min: [0.9\n' });
    const r = await gate(pr);
    expect(r.code).toBe(1);
    expect(errors(r)).toHaveLength(1);
    expect(errors(r)[0]).toMatchObject({ file: 'mlops.yml' });
    expect(errors(r)[0]!.line).toBeGreaterThanOrEqual(4);
    expect(errors(r)[0]!.message).toMatch(/invalid YAML/);
    expect(fake.statuses(pr.repo)[0]).toMatchObject({ state: 'error', sha: pr.headSha });
    expect(fake.statuses(pr.repo)[0]!.description).toMatch(/^Configuration error: mlops.yml:\d+: invalid YAML/);
  });

  it('unknown config key: file, line and the key named', async () => {
    pr = await open({ mlopsYml: 'artifact: churn-model\ngates:\n  - metric: roc_auc.test\n    minimum: 0.9\n' });
    const r = await gate(pr);
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual([expect.objectContaining({ file: 'mlops.yml', line: 4, message: 'gates[0]: unknown key "minimum"' })]);
  });

  it('a 500 on the status write is retried and succeeds', async () => {
    pr = await open({ mlopsYml: GATES });
    fake.clearLog();
    fake.fault({ operationId: 'repos/create-commit-status', ...faults.serverError(500) });
    const r = await gate(pr);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.count('repos/create-commit-status')).toBe(2);
    expect(fake.statuses(pr.repo)).toHaveLength(1);
  });

  it('a secondary rate limit is waited out, not failed', async () => {
    pr = await open({ mlopsYml: GATES });
    fake.clearLog();
    fake.fault({ operationId: 'repos/create-commit-status', ...faults.secondaryRateLimit(1) });
    const r = await gate(pr);
    expect(r.code, r.stderr).toBe(0);
    expect(fake.count('repos/create-commit-status')).toBe(2);
    expect(fake.statuses(pr.repo)[0]!.state).toBe('success');
    expect(errors(r)).toEqual([]);
    // The throttling plugin waited for retry-after and said so.
    expect(r.annotations.some((a) => a.level === 'warning' && /secondary rate limit .*retrying after 1s/.test(a.message))).toBe(true);
  });

  it('a fork PR with a read-only token: clear error saying why and what to do', async () => {
    fake.addToken('fork-token', { contents: 'read', issues: 'read', pull_requests: 'read', statuses: 'read', checks: 'read' });
    pr = await open({ mlopsYml: GATES, fork: 'contributor' });
    expect((pr.payload.pull_request as { head: { repo: { full_name: string } } }).head.repo.full_name).toMatch(/^contributor\//);
    const r = await gate(pr, { token: 'fork-token' });
    expect(r.code).toBe(1);
    expect(r.outputs.passed).toBe('true');
    const [err] = errors(r);
    expect(err!.message).toMatch(/GitHub answered 403/);
    expect(err!.message).toMatch(/comes from a fork/);
    expect(err!.message).toMatch(/read-only token/);
    expect(err!.message).toMatch(/workflow_run/);
    expect(fake.statuses(pr.repo)).toEqual([]);
    expect(r.leaked('fork-token')).toBe(false);
  });

  it('override label added by a maintainer: success status naming who overrode it', async () => {
    roles.set('alice', 'maintain');
    pr = await open({ mlopsYml: GATES, head: { metrics: { roc_auc: { test: 0.5 } } } });
    fake.addLabel(pr.repo, pr.number, 'metrics-override', 'alice');
    const r = await gate(pr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ passed: 'true', 'overridden-by': 'alice' });
    expect(JSON.parse(r.outputs['failed-rules']!)).toHaveLength(1);
    const [s] = fake.statuses(pr.repo);
    expect(s).toMatchObject({ state: 'success', sha: pr.headSha });
    expect(s!.description).toBe('Overridden by @alice (metrics-override): 1 of 2 rules failed: roc_auc.test');
    expect(r.summary).toContain('⚠️ **Gate overridden** by @alice');
  });

  it('override label added by someone without maintain rights is ignored', async () => {
    roles.set('bob', 'write');
    pr = await open({ mlopsYml: GATES, head: { metrics: { roc_auc: { test: 0.5 } } } });
    fake.addLabel(pr.repo, pr.number, 'metrics-override', 'bob');
    const r = await gate(pr);
    expect(r.code).toBe(1);
    expect(r.outputs['overridden-by']).toBe('');
    expect(fake.statuses(pr.repo)[0]!.state).toBe('failure');
    expect(r.annotations.some((a) => a.level === 'warning' && /added by @bob \(role write\), not by a maintainer/.test(a.message))).toBe(true);
  });

  it('a missing baseline fails max_drop rules closed and says how to fetch it', async () => {
    pr = await open({ mlopsYml: GATES });
    const r = await gate(pr, { inputs: { 'baseline-ref': 'release/does-not-exist' } });
    expect(r.code).toBe(1);
    const failed = JSON.parse(r.outputs['failed-rules']!);
    expect(failed).toHaveLength(2);
    expect(failed[0].reason).toMatch(/no baseline .*release\/does-not-exist.* not found \(fetch it/);
  });

  it('inline rules and a metrics input replace the configuration', async () => {
    pr = await open({ head: { files: { 'perf.toml': '[latency]\np95_ms = 95.5\n' } } });
    writeFileSync(join(pr.dir, 'unused.txt'), '');
    const r = await gate(pr, { inputs: { metrics: 'eval/metrics.json, perf.toml', rules: '- metric: latency.p95_ms\n  direction: lower\n  max: 120\n' } });
    expect(r.code, r.stderr).toBe(0);
    expect(fake.statuses(pr.repo)[0]!.description).toBe('1/1 rules passed');
  });
});
