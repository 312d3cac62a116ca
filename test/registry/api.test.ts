/**
 * register-model and promote-stage as the runner runs them (dist bundles under the runner harness)
 * against the GitHub API fake, whose git data lives in real bare repositories: what we write over the
 * API is read back with git itself. Plus the 20-writer race through the API backend.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/lib/github/octokit.js';
import { silentLogger } from '../../src/lib/log.js';
import { defaultFlow } from '../../src/lib/promotion.js';
import { GitHubTagBackend, parseTagMessage, promoteVersion, readState, registerVersion, showJson } from '../../src/lib/registry/index.js';
import { startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { runAction, type RunResult } from '../harness/runner.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

const R = 'acme/ml';
let fake: GitHubFake;
let workspace: string;
const commits: string[] = [];

const tagInfo = (name: string) =>
  execFileSync('git', ['for-each-ref', '--format=%(objecttype) %(*objectname)%00%(contents)', `refs/tags/${name}`], { cwd: fake.repoPath(R), encoding: 'utf8' });
const tagNames = () => execFileSync('git', ['tag', '-l'], { cwd: fake.repoPath(R), encoding: 'utf8' }).split('\n').filter(Boolean).sort();

function run(action: 'register-model' | 'promote-stage', inputs: Record<string, string>, token = 'test-token'): Promise<RunResult> {
  return runAction(action, {
    inputs,
    workspace,
    repository: R,
    sha: commits.at(-1),
    apiUrl: fake.url,
    token,
    actor: 'ana',
    env: { MLOPS_GITHUB_PACING: 'false' },
  });
}
/** A fast-import stream of annotated tags as GTO writes them: one registration, then n-1 assignments. */
function registryTagsStream(commit: string, n: number): string {
  let out = '';
  for (let i = 1; i <= n; i++) {
    const name = i === 1 ? 'm@v0.0.1' : `m#dev#${i}`;
    const msg = i === 1 ? 'Registering artifact m version v0.0.1\n' : 'Assigning stage dev to artifact m version v0.0.1\n';
    out += `tag ${name}\nfrom ${commit}\ntagger T <t@example.com> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\n`;
  }
  return out;
}
const errors = (r: RunResult) => r.annotations.filter((a) => a.level === 'error').map((a) => a.message);

beforeAll(async () => {
  fake = await startGitHubFake();
  await fake.createRepo(R, { files: { 'mlops.yml': 'artifact: churn-model\n' } });
  for (let i = 1; i <= 3; i++) commits.push(await fake.commit(R, 'main', { 'model.txt': `v${i}\n` }, `train ${i}`));
  fake.addToken('read-only', { contents: 'read' });
  workspace = await makeTempDir('mlops-ws-');
  writeFileSync(join(workspace, 'mlops.yml'), 'artifact: churn-model\nstages: [dev, staging, production]\n');
  writeFileSync(join(workspace, 'metrics.json'), '{"auc": 0.91}\n');
});

afterAll(async () => {
  await fake.close();
  await cleanupTempDirs();
});

describe('register-model and promote-stage on the API fake', () => {
  it('registers the next version at GITHUB_SHA as a real annotated tag, idempotently', async () => {
    const first = await run('register-model', { ref: commits[0]!, metrics: 'metrics.json' });
    expect(errors(first)).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.outputs).toEqual({ version: 'v0.0.1', tag: 'churn-model@v0.0.1', commit: commits[0], created: 'true' });
    const [head, message] = tagInfo('churn-model@v0.0.1').split('\0');
    expect(head).toBe(`tag ${commits[0]}`);
    const parsed = parseTagMessage(message);
    expect(parsed.title).toBe('Registering artifact churn-model version v0.0.1');
    expect(parsed.audit).toMatchObject({ actor: 'ana', commit: commits[0], metrics: { auc: 0.91 } });
    expect(parsed.audit!.run_url).toMatch(/^https:\/\/github.com\/acme\/ml\/actions\/runs\/\d+/);

    const again = await run('register-model', { ref: commits[0]! });
    expect(again.outputs).toMatchObject({ version: 'v0.0.1', created: 'false' });

    const second = await run('register-model', {}); // default ref: GITHUB_SHA
    expect(second.outputs).toMatchObject({ version: 'v0.0.2', commit: commits[2] });
    const minor = await run('register-model', { ref: commits[1]!, bump: 'minor' });
    expect(minor.outputs).toMatchObject({ version: 'v0.1.0', tag: 'churn-model@v0.1.0' });
  });

  it('promotes in order, from the previous stage, and refuses to skip one', async () => {
    const dev = await run('promote-stage', { stage: 'dev', ref: commits[0]!, 'image-digest': 'sha256:' + 'a'.repeat(64) });
    expect(errors(dev)).toEqual([]);
    expect(dev.outputs).toEqual({ stage: 'dev', version: 'v0.0.1', tag: 'churn-model#dev#1', commit: commits[0], 'previous-version': '', created: 'true' });
    const staging = await run('promote-stage', { stage: 'staging' });
    expect(staging.outputs).toMatchObject({ stage: 'staging', version: 'v0.0.1', tag: 'churn-model#staging#2' });
    const msg = parseTagMessage(tagInfo('churn-model#dev#1').split('\0')[1]);
    expect(msg.title).toBe('Assigning stage dev to artifact churn-model version v0.0.1');
    expect(msg.audit).toMatchObject({ image_digest: 'sha256:' + 'a'.repeat(64), previous_version: null, commit: commits[0] });

    const before = tagNames();
    const skip = await run('promote-stage', { stage: 'production', version: 'v0.0.2' });
    expect(skip.code).toBe(1);
    expect(errors(skip)).toEqual([
      'refusing to assign production to churn-model v0.0.2: it is not in staging (staging holds v0.0.1). Promote v0.0.2 to staging first, or use force with a reason.',
    ]);
    expect(tagNames()).toEqual(before);

    const forced = await run('promote-stage', { stage: 'production', version: 'v0.0.2', force: 'true', reason: 'INC-7 hotfix' });
    expect(forced.outputs).toMatchObject({ version: 'v0.0.2', tag: 'churn-model#production#3' });
    expect(parseTagMessage(tagInfo('churn-model#production#3').split('\0')[1]).audit).toMatchObject({ forced: true, reason: 'INC-7 hotfix' });

    const prod = await run('promote-stage', { stage: 'production' }); // the version in staging
    expect(prod.outputs).toMatchObject({ version: 'v0.0.1', 'previous-version': 'v0.0.2', tag: 'churn-model#production#4' });
    const back = await run('promote-stage', { stage: 'production', rollback: 'true', reason: 'latency' });
    expect(back.outputs).toMatchObject({ version: 'v0.0.2', 'previous-version': 'v0.0.1', tag: 'churn-model#production#5', created: 'true' });

    // What the API wrote is what git (and so GTO) reads.
    const state = await readState(new GitHubTagBackend(createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger }), { owner: 'acme', repo: 'ml' }));
    expect(showJson(state)).toEqual({
      artifacts: { 'churn-model': { versions: ['v0.0.1', 'v0.0.2', 'v0.1.0'], latest: 'v0.1.0', stages: { dev: 'v0.0.1', staging: 'v0.0.1', production: 'v0.0.2' } } },
    });
  });

  it.each([
    ['register-model', { artifact: 'bad name' }, /invalid artifact name "bad name"/],
    ['register-model', { version: '1.2.3', ref: commits[2] ?? 'main' }, /invalid version "1.2.3".*write "v1.2.3"/],
    ['register-model', { bump: 'huge' }, /bump must be one of major, minor, patch/],
    ['promote-stage', { stage: 'qa', version: 'v0.0.1' }, /unknown stage "qa": the stages are dev, staging, production/],
    ['promote-stage', { stage: 'dev', version: 'v7.0.0' }, /version v7.0.0 of churn-model is not registered/],
    ['promote-stage', { stage: 'dev', version: '0.0.1' }, /invalid version "0.0.1"/],
    ['promote-stage', { stage: 'production', force: 'true', version: 'v0.0.2' }, /force needs a reason/],
  ] as const)('%s %j fails with a clear error and writes nothing', async (action, inputs, message) => {
    const before = tagNames();
    const r = await run(action, { ...inputs });
    expect(r.code).toBe(1);
    expect(errors(r)).toHaveLength(1);
    expect(errors(r)[0]).toMatch(message);
    expect(tagNames()).toEqual(before);
  });

  it('a token without contents: write gets a clear 403 error and nothing is written', async () => {
    const fresh = await fake.commit(R, 'main', { 'model.txt': 'v4\n' }, 'train 4');
    const before = tagNames();
    const r = await run('register-model', { ref: fresh, version: 'v5.0.0' }, 'read-only');
    expect(r.code).toBe(1);
    expect(errors(r)[0]).toMatch(/create tag churn-model@v5.0.0 in acme\/ml: GitHub answered 403.*contents: write/);
    expect(r.leaked('read-only')).toBe(false);
    expect(tagNames()).toEqual(before);
  });

  it('made only requests GitHub would accept', () => {
    expect(fake.invalid).toEqual([]);
    expect(fake.unimplemented).toEqual([]);
  });
});

describe('concurrent writers through the API', () => {
  it('20 registrations give 20 distinct versions; 20 promotions give distinct counters', async () => {
    const repo = 'acme/race';
    await fake.createRepo(repo, { files: { 'a.txt': '0\n' } });
    const shas: string[] = [];
    for (let i = 0; i < 20; i++) shas.push(await fake.commit(repo, 'main', { 'a.txt': `${i}\n` }));
    const backend = () => new GitHubTagBackend(createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger }), { owner: 'acme', repo: 'race' });
    const regs = await Promise.all(shas.map((ref) => registerVersion(backend(), { artifact: 'm', ref })));
    expect(new Set(regs.map((r) => r.version)).size).toBe(20);
    expect((await fake.refs(repo, 'refs/tags/m@')).length).toBe(20);
    const flow = defaultFlow();
    const promos = await Promise.all(regs.map((r) => promoteVersion(backend(), { artifact: 'm', stage: 'dev', flow, version: r.version })));
    expect(new Set(promos.map((p) => p.tag)).size).toBe(20);
    expect((await fake.refs(repo, 'refs/tags/m#dev#')).length).toBe(20);
    expect(fake.invalid).toEqual([]);
  }, 300_000);

  it('API calls per promote do not grow with the number of tags beyond paginated ref reads', async () => {
    const calls = async (n: number) => {
      const repo = `acme/calls${n}`;
      await fake.createRepo(repo, { files: { 'a.txt': '0\n' } });
      const sha = await fake.commit(repo, 'main', { 'a.txt': '1\n' });
      // n registry events written straight into the bare repo in one fast-import, then one promote over the API.
      execFileSync('git', ['fast-import', '--quiet'], { cwd: fake.repoPath(repo), input: registryTagsStream(sha, n) });
      fake.clearLog();
      await promoteVersion(backend(repo), { artifact: 'm', stage: 'staging', flow: defaultFlow(), version: 'v0.0.1' });
      return fake.requests.length;
    };
    const backend = (full: string) =>
      new GitHubTagBackend(createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger }), { owner: 'acme', repo: full.split('/')[1]! });
    const small = await calls(10);
    const large = await calls(500);
    // matching-refs + tag list (one page per 100 tags) + create tag object + create ref
    expect(small).toBe(4);
    expect(large).toBe(small + Math.ceil(500 / 100) - 1);
  }, 120_000);
});
