/**
 * `mlops protect` against the GitHub API fake, which validates every request against GitHub's OpenAPI
 * description: the ruleset (or classic protection) and the environments it writes are accepted as
 * GitHub would accept them (`fake.invalid` stays empty), re-runs update in place, and a token without
 * admin rights gets a clear error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { protect } from '../../src/cli/commands/protect.js';
import { isUserError } from '../../src/lib/errors.js';
import { createOctokit, type Octokit } from '../../src/lib/github/octokit.js';
import { applyProtection, DEFAULT_REQUIRED_CHECKS, planProtection, RULESET_NAME, type ProtectOptions } from '../../src/lib/github/protect.js';
import { silentLogger } from '../../src/lib/log.js';
import { githubOpenApi, startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';

let fake: GitHubFake;
let gh: Octokit;
const R = 'acme/churn';
const base: ProtectOptions = {
  owner: 'acme',
  repo: 'churn',
  branches: ['main', 'staging', 'production'],
  requiredChecks: DEFAULT_REQUIRED_CHECKS,
  approvals: 1,
};

beforeAll(async () => {
  fake = await startGitHubFake();
  gh = createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger });
  await fake.createRepo(R, { files: { 'README.md': '# churn\n' } });
  await fake.commit(R, 'staging', { 'README.md': '# churn\n' });
  await fake.commit(R, 'production', { 'README.md': '# churn\n' });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.clearLog();
  fake.clearFaults();
});

/** Every planned write is a request GitHub's OpenAPI description accepts (route, params, body). */
function expectValidAgainstOpenApi(plan: Awaited<ReturnType<typeof planProtection>>) {
  const spec = githubOpenApi();
  for (const p of plan) {
    const match = spec.match(p.method, p.path);
    expect(match, `${p.method} ${p.path}`).toBeDefined();
    expect(spec.validate(match!.route, match!.params, {}, p.body, p.body !== undefined), `${p.method} ${p.path}`).toEqual([]);
  }
}

describe('mlops protect', () => {
  it('creates one ruleset: PRs only, 1 approval, flow guard and metric-gate required, no force push or deletion', async () => {
    const plan = await planProtection(gh, base);
    expect(plan.map((p) => `${p.method} ${p.path}`)).toEqual([`POST /repos/${R}/rulesets`]);
    await applyProtection(gh, plan, silentLogger);
    expect(fake.invalid).toEqual([]);
    expect(fake.unimplemented).toEqual([]);
    const [rs] = fake.rulesets(R) as { name: string; enforcement: string; conditions: { ref_name: { include: string[] } }; rules: { type: string; parameters?: Record<string, unknown> }[] }[];
    expect(rs!.name).toBe(RULESET_NAME);
    expect(rs!.enforcement).toBe('active');
    expect(rs!.conditions.ref_name.include).toEqual(['refs/heads/main', 'refs/heads/staging', 'refs/heads/production']);
    const rules = Object.fromEntries(rs!.rules.map((r) => [r.type, r.parameters]));
    expect(Object.keys(rules).sort()).toEqual(['deletion', 'non_fast_forward', 'pull_request', 'required_status_checks']);
    expect(rules.pull_request!.required_approving_review_count).toBe(1);
    expect(rules.required_status_checks!.required_status_checks).toEqual([{ context: 'ml-pr / flow-guard' }, { context: 'metric-gate' }]);
  });

  it('updates its own ruleset in place on a second run (no second ruleset)', async () => {
    const plan = await planProtection(gh, { ...base, approvals: 2 });
    expect(plan.map((p) => `${p.method} ${p.path}`)).toEqual([`PUT /repos/${R}/rulesets/1`]);
    expectValidAgainstOpenApi(plan);
    expect(fake.invalid).toEqual([]);
  });

  it('sets classic branch protection on each stage branch with --classic', async () => {
    const plan = await planProtection(gh, { ...base, classic: true });
    expect(plan).toHaveLength(3);
    await applyProtection(gh, plan, silentLogger);
    expect(fake.invalid).toEqual([]);
    for (const b of base.branches) {
      const p = fake.protections(R).get(b) as { required_status_checks: { contexts: string[] }; required_pull_request_reviews: { required_approving_review_count: number }; enforce_admins: { enabled: boolean }; allow_force_pushes: { enabled: boolean } };
      expect(p.required_status_checks.contexts).toEqual(DEFAULT_REQUIRED_CHECKS);
      expect(p.required_pull_request_reviews.required_approving_review_count).toBe(1);
      expect(p.enforce_admins.enabled).toBe(true);
      expect(p.allow_force_pushes.enabled).toBe(false);
    }
  });

  it('plans the approval environments of staging and production, valid for GitHub', async () => {
    const plan = await planProtection(gh, {
      ...base,
      environments: [
        { name: 'staging', reviewers: [], branch: 'staging' },
        { name: 'production', reviewers: [], branch: 'production', waitTimer: 10 },
      ],
    });
    expect(plan.map((p) => `${p.method} ${p.path}`)).toEqual([
      `PUT /repos/${R}/rulesets/1`,
      `PUT /repos/${R}/environments/staging`,
      `POST /repos/${R}/environments/staging/deployment-branch-policies`,
      `PUT /repos/${R}/environments/production`,
      `POST /repos/${R}/environments/production/deployment-branch-policies`,
    ]);
    expectValidAgainstOpenApi(plan);
    // The environment writes themselves, applied on the fake.
    await applyProtection(gh, plan.filter((p) => p.path.endsWith('/production')), silentLogger);
    expect(fake.invalid).toEqual([]);
    const env = fake.environments(R).get('production') as { deployment_branch_policy: unknown; protection_rules: { type: string }[] };
    expect(env.deployment_branch_policy).toEqual({ protected_branches: false, custom_branch_policies: true });
    expect(env.protection_rules.map((r) => r.type)).toEqual(['wait_timer']);
  });

  it('resolves reviewer logins and teams to the ids the environments API takes', async () => {
    // The fake answers users/teams lookups through its fault hook with GitHub's shapes.
    fake.fault({ operationId: 'users/get-by-username', status: 200, body: { login: 'alice', id: 501, type: 'User' } });
    fake.fault({ operationId: 'teams/get-by-name', status: 200, body: { id: 77, slug: 'ml-leads', name: 'ML leads' } });
    const plan = await planProtection(gh, { ...base, classic: true, environments: [{ name: 'production', reviewers: ['user:alice', 'team:acme/ml-leads'], branch: 'production' }] });
    const env = plan.find((p) => p.path.endsWith('/environments/production'))!;
    expect(env.body!.reviewers).toEqual([
      { type: 'User', id: 501 },
      { type: 'Team', id: 77 },
    ]);
    expectValidAgainstOpenApi(plan);
    expect(fake.requests.filter((r) => r.method === 'GET').map((r) => r.path)).toEqual(['/users/alice', '/orgs/acme/teams/ml-leads']);
    await applyProtection(gh, [env], silentLogger);
    expect(fake.invalid).toEqual([]);
    const saved = fake.environments(R).get('production') as { protection_rules: { type: string; reviewers?: unknown[] }[] };
    expect(saved.protection_rules.find((r) => r.type === 'required_reviewers')?.reviewers).toEqual(env.body!.reviewers);
  });

  it('names a reviewer GitHub does not know', async () => {
    fake.fault({ operationId: 'users/get-by-username', status: 404, body: { message: 'Not Found' } });
    const e = await planProtection(gh, { ...base, classic: true, environments: [{ name: 'staging', reviewers: ['user:nobody'] }] }).catch((x: unknown) => x);
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toContain('reviewer "user:nobody" not found');
  });

  it('rejects bad options before any request', async () => {
    const cases: [ProtectOptions, string][] = [
      [{ ...base, approvals: 0 }, 'approvals'],
      [{ ...base, branches: [] }, 'branches'],
      [{ ...base, environments: [{ name: 'production', reviewers: ['octocat'] }] }, 'user:<login>'],
    ];
    for (const [opts, word] of cases) {
      const e = await planProtection(gh, opts).catch((x: unknown) => x);
      expect(isUserError(e), word).toBe(true);
      expect((e as Error).message).toContain(word);
    }
    expect(fake.requests).toEqual([]);
  });

  it('says the token needs admin rights when GitHub refuses', async () => {
    fake.addToken('contents-only', { contents: 'write' });
    const weak = createOctokit({ token: 'contents-only', baseUrl: fake.url, pacing: false, logger: silentLogger, retries: 0 });
    const plan = await planProtection(gh, { ...base, classic: true });
    const e = await applyProtection(weak, plan, silentLogger).catch((x: unknown) => x);
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toMatch(/admin rights.*Administration: write/);
  });

  it('--dry-run prints the requests and writes nothing', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const env = { GITHUB_TOKEN: process.env.GITHUB_TOKEN, GITHUB_API_URL: process.env.GITHUB_API_URL };
    process.env.GITHUB_TOKEN = 'test-token';
    process.env.GITHUB_API_URL = fake.url;
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      expect(await protect.run(['--repo', R, '--classic', '--environments', '--dry-run'])).toBe(0);
    } finally {
      process.stdout.write = write;
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const text = out.join('');
    expect(text).toContain(`PUT /repos/${R}/branches/main/protection`);
    expect(text).toContain(`PUT /repos/${R}/environments/production`);
    expect(text).toContain('"required_approving_review_count": 1');
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
