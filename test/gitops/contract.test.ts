/**
 * dist/bump-env-tag run the way the runner runs it, against the GitHub API fake: direct bump with a
 * deployment recorded, re-run without change, PR mode updating one PR, and refusals that commit nothing.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { runAction, type RunOptions } from '../harness/runner.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

const D = `sha256:${'e'.repeat(64)}`;
const DEV = 'overlays/dev/kustomization.yaml';
const PROD = 'overlays/prod/kustomization.yaml';
const overlay = (tag: string) => `# managed by bump-env-tag
resources:
  - ../../base
images:
  - name: churn # as in base
    newName: ghcr.io/acme/churn
    newTag: ${tag}
`;
const MLOPS = `artifact: churn
image: { name: ghcr.io/acme/churn }
environments:
  dev: { repo: acme/deploy, path: ${DEV}, image_name: churn }
  production: { repo: acme/deploy, path: ${PROD}, image_name: churn }
`;

let fake: GitHubFake;
let workspace: string;
let sha: string;
const show = (rev: string) => execFileSync('git', ['show', rev], { cwd: fake.repoPath('acme/deploy'), encoding: 'utf8' });

function run(inputs: Record<string, string>, extra: Partial<RunOptions> = {}) {
  return runAction('bump-env-tag', {
    inputs,
    workspace,
    repository: 'acme/ml',
    sha,
    apiUrl: fake.url,
    env: { MLOPS_GITHUB_PACING: 'false', GITHUB_RUN_ID: '4242' },
    ...extra,
  });
}

beforeAll(async () => {
  fake = await startGitHubFake();
  await fake.createRepo('acme/ml', { files: { 'mlops.yml': MLOPS } });
  await fake.createRepo('acme/deploy', { files: { [DEV]: overlay('v0.9.0'), [PROD]: overlay('v0.9.0') } });
  sha = (await fake.resolve('acme/ml', 'main'))!;
  workspace = await makeTempDir('bump-contract-');
  writeFileSync(join(workspace, 'mlops.yml'), MLOPS);
});

afterAll(async () => {
  await fake?.close();
  await cleanupTempDirs();
});

describe('bump-env-tag action (dist bundle, runner contract, API fake)', () => {
  it('direct: commits to the environment branch and records a deployment', async () => {
    const r = await run({ environment: 'dev', tag: 'v1.2.0', digest: D, version: 'v1.2.0' });
    expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.code).toBe(0);
    const head = await fake.resolve('acme/deploy', 'main');
    expect(r.outputs).toMatchObject({ changed: 'true', commit: head, 'pr-url': '', branch: 'main', image: `ghcr.io/acme/churn:v1.2.0@${D}`, 'previous-image': 'ghcr.io/acme/churn:v0.9.0' });
    expect(show(`main:${DEV}`)).toBe(overlay(`v1.2.0\n    digest: ${D}`));
    expect(show('main').split('\n').find((l) => l.includes('deploy(dev)'))).toContain('deploy(dev): churn v1.2.0');
    const deps = fake.deployments('acme/ml');
    expect(deps).toHaveLength(1);
    expect(deps[0]).toMatchObject({ environment: 'dev', sha, production_environment: false });
    expect(deps[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deps[0]!.statuses[1]!.log_url).toBe('https://github.com/acme/ml/actions/runs/4242');
    expect(r.outputs['deployment-id']).toBe(String(deps[0]!.id));
    expect(r.summary).toContain('v1.2.0');
    expect(r.leaked('test-token')).toBe(false);
  });

  it('no change: changed=false, no commit, no deployment', async () => {
    const head = await fake.resolve('acme/deploy', 'main');
    const r = await run({ environment: 'dev', tag: 'v1.2.0', digest: D });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ changed: 'false', commit: head, 'deployment-id': '' });
    expect(await fake.resolve('acme/deploy', 'main')).toBe(head);
    expect(fake.deployments('acme/ml')).toHaveLength(1);
  });

  it('production defaults to PR mode: one PR, updated in place; the base and deployments untouched', async () => {
    const main = await fake.resolve('acme/deploy', 'main');
    const a = await run({ environment: 'production', tag: 'v1.2.0', digest: D, version: 'v1.2.0' });
    expect(a.code).toBe(0);
    expect(a.outputs.changed).toBe('true');
    expect(a.outputs.branch).toBe('bump/production/churn');
    expect(a.outputs['pr-url']).toMatch(/^https:\/\/github\.com\/acme\/deploy\/pull\/\d+$/);
    const b = await run({ environment: 'production', tag: 'v1.2.1', version: 'v1.2.1' });
    expect(b.code).toBe(0);
    expect(b.outputs['pr-url']).toBe(a.outputs['pr-url']);
    const pulls = fake.pulls('acme/deploy');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.title).toBe('Deploy churn v1.2.1 to production');
    expect(pulls[0]!.body).toContain('`ghcr.io/acme/churn:v1.2.1`');
    expect(pulls[0]!.body).toContain('https://github.com/acme/ml/actions/runs/4242');
    expect(show(`bump/production/churn:${PROD}`)).toBe(overlay('v1.2.1'));
    expect(await fake.resolve('acme/deploy', 'main')).toBe(main);
    expect(fake.deployments('acme/ml')).toHaveLength(1);
    // Re-run with the same image: nothing committed, the open PR is still reported.
    const head = await fake.resolve('acme/deploy', 'bump/production/churn');
    const c = await run({ environment: 'production', tag: 'v1.2.1', version: 'v1.2.1' });
    expect(c.outputs).toMatchObject({ changed: 'false', commit: head, 'pr-url': a.outputs['pr-url'] });
    expect(fake.pulls('acme/deploy')).toHaveLength(1);
    expect(fake.pulls('acme/deploy')[0]!.body).toContain('| from | `ghcr.io/acme/churn:v0.9.0` |');
  });

  it('invalid digest: one error annotation naming the input, nothing committed', async () => {
    const head = await fake.resolve('acme/deploy', 'main');
    const r = await run({ environment: 'dev', tag: 'v2', digest: 'sha256:nothex' });
    expect(r.code).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('sha256:nothex');
    expect(await fake.resolve('acme/deploy', 'main')).toBe(head);
  });

  it('malformed GitOps file: error annotation with file and line, nothing committed', async () => {
    await fake.commit('acme/deploy', 'main', { 'overlays/dev/kustomization.yaml': 'images:\n  - name: churn\n    newTag: [v1\n' }, 'break it');
    const head = await fake.resolve('acme/deploy', 'main');
    const r = await run({ environment: 'dev', tag: 'v2' });
    expect(r.code).toBe(1);
    const err = r.annotations.find((a) => a.level === 'error')!;
    expect(err).toMatchObject({ file: DEV });
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toContain('invalid YAML');
    expect(await fake.resolve('acme/deploy', 'main')).toBe(head);
    expect(fake.invalid).toEqual([]);
  });
});
