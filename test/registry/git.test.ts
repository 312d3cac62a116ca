/**
 * The registry over real git repositories: tags written by `git tag -a` exactly as GTO writes them are
 * read back by us; our writes are real annotated tags; a bare remote is the lock for concurrent writers.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitTagBackend, readLocalTags } from '../../src/lib/git/tags.js';
import { defaultFlow } from '../../src/lib/promotion.js';
import { parseTagMessage, promoteVersion, readState, registerVersion, showJson } from '../../src/lib/registry/index.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

const root = join(import.meta.dirname, '..', '..');
const ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Ana', GIT_AUTHOR_EMAIL: 'ana@example.com', GIT_COMMITTER_NAME: 'Ana', GIT_COMMITTER_EMAIL: 'ana@example.com' };
const sh = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync('git', args, { cwd, env: { ...ENV, ...env }, encoding: 'utf8' }).trim();

async function repoWithCommits(n: number): Promise<{ dir: string; commits: string[] }> {
  const dir = await makeTempDir('mlops-reg-');
  sh(dir, ['init', '-q', '-b', 'main']);
  const commits: string[] = [];
  for (let i = 1; i <= n; i++) {
    writeFileSync(join(dir, 'model.txt'), `model ${i}\n`);
    sh(dir, ['add', 'model.txt']);
    sh(dir, ['commit', '-q', '-m', `train ${i}`]);
    commits.push(sh(dir, ['rev-parse', 'HEAD']));
  }
  return { dir, commits };
}

/** `git tag -a` as GTO's create_tag does, with GTO's own messages and a fixed tagger time. */
function gtoTag(dir: string, name: string, commit: string, message: string, time: number) {
  sh(dir, ['tag', '-a', name, '-m', message, commit], { GIT_COMMITTER_DATE: `${time} +0000` });
}

function cli(cwd: string, args: string[]) {
  const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'src/cli/index.ts'), ...args], { cwd, env: ENV, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(cleanupTempDirs);

describe('tags written by GTO, read by us', () => {
  let dir: string;
  let c: string[];
  beforeAll(async () => {
    ({ dir, commits: c } = await repoWithCommits(4));
    const T = 1_700_000_000;
    gtoTag(dir, 'churn@v0.0.1', c[0]!, 'Registering artifact churn version v0.0.1', T);
    gtoTag(dir, 'churn@v0.0.2', c[1]!, 'Registering artifact churn version v0.0.2', T + 10);
    gtoTag(dir, 'churn@v0.1.0', c[2]!, 'Registering artifact churn version v0.1.0', T + 20);
    gtoTag(dir, 'churn@v0.1.1', c[3]!, 'Registering artifact churn version v0.1.1', T + 25);
    gtoTag(dir, 'churn#dev#1', c[0]!, 'Assigning stage dev to artifact churn version v0.0.1', T + 30);
    gtoTag(dir, 'churn#staging#2', c[0]!, 'Assigning stage staging to artifact churn version v0.0.1', T + 40);
    // Same second: only the counters order these two.
    gtoTag(dir, 'churn#dev#3', c[1]!, 'Assigning stage dev to artifact churn version v0.0.2', T + 50);
    gtoTag(dir, 'churn#dev#4', c[2]!, 'Assigning stage dev to artifact churn version v0.1.0', T + 50);
    gtoTag(dir, 'churn#prod#5', c[0]!, 'Assigning stage prod to artifact churn version v0.0.1', T + 60);
    gtoTag(dir, 'churn#prod!#6', c[0]!, "Unassigning stage 'prod' to artifact 'churn' version 'v0.0.1'", T + 70);
    gtoTag(dir, 'churn@v0.1.1!', c[3]!, 'Deregistering artifact churn version v0.1.1', T + 80);
    gtoTag(dir, 'models/cv=resnet@v1.0.0-rc.1', c[3]!, 'Registering artifact models/cv:resnet version v1.0.0-rc.1', T + 90);
    gtoTag(dir, 'models/cv=resnet#dev#1', c[3]!, 'Assigning stage dev to artifact models/cv:resnet version v1.0.0-rc.1', T + 91);
    gtoTag(dir, 'old@v0.0.1', c[0]!, 'Registering artifact old version v0.0.1', T + 92);
    gtoTag(dir, 'old@deprecated', c[0]!, "Deprecating artifact 'old'", T + 93);
    sh(dir, ['tag', 'churn@v9.9.9', c[3]!]); // lightweight: not an event
    sh(dir, ['tag', '-a', 'release-2026', '-m', 'not ours', c[3]!]);
  });

  it('computes GTO state: latest assignment wins, unassign and deregister drop out, deprecated hidden', async () => {
    const state = await readState(new GitTagBackend({ cwd: dir }));
    expect(showJson(state)).toEqual({
      artifacts: {
        churn: { versions: ['v0.0.1', 'v0.0.2', 'v0.1.0'], latest: 'v0.1.0', stages: { dev: 'v0.1.0', staging: 'v0.0.1' } },
        'models/cv:resnet': { versions: ['v1.0.0-rc.1'], latest: 'v1.0.0-rc.1', stages: { dev: 'v1.0.0-rc.1' } },
      },
    });
    const events = state.artifacts.get('churn')!.events;
    expect(events.find((e) => e.tag === 'churn#dev#4')).toMatchObject({ time: 1_700_000_050, tagger: 'Ana <ana@example.com>', commit: c[2] });
    expect(parseTagMessage(events[0]!.message).title).toBe('Registering artifact churn version v0.0.1');
  });

  it('mlops show --json prints exactly that document; check-pr refuses with the branch to use', () => {
    const r = cli(dir, ['show', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      artifacts: {
        churn: { versions: ['v0.0.1', 'v0.0.2', 'v0.1.0'], latest: 'v0.1.0', stages: { dev: 'v0.1.0', staging: 'v0.0.1' } },
        'models/cv:resnet': { versions: ['v1.0.0-rc.1'], latest: 'v1.0.0-rc.1', stages: { dev: 'v1.0.0-rc.1' } },
      },
    });
    const bad = cli(dir, ['check-pr', '--from', 'main', '--into', 'production']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('mlops: pull requests into production (production) must come from staging, not from main');
    expect(cli(dir, ['check-pr', '--from', 'experiment/lr', '--into', 'main']).code).toBe(0);
  });

  it('registers and promotes on top of GTO tags, with GTO first lines and an audit record', async () => {
    const backend = new GitTagBackend({ cwd: dir });
    // Next version after the highest ever registered (v0.1.1 was deregistered, its name is gone).
    const reg = await registerVersion(backend, { artifact: 'churn', ref: 'HEAD', audit: { actor: 'ana', metrics: { auc: 0.91 } } });
    expect(reg).toMatchObject({ version: 'v0.1.2', tag: 'churn@v0.1.2', commit: c[3], created: true });
    expect(sh(dir, ['cat-file', '-t', 'churn@v0.1.2'])).toBe('tag');
    const msg = sh(dir, ['tag', '-l', '--format=%(contents)', 'churn@v0.1.2']);
    expect(msg.split('\n')[0]).toBe('Registering artifact churn version v0.1.2');
    expect(parseTagMessage(msg).audit).toEqual({ actor: 'ana', commit: c[3], metrics: { auc: 0.91 } });
    // idempotent
    expect(await registerVersion(backend, { artifact: 'churn', ref: c[3]! })).toMatchObject({ version: 'v0.1.2', created: false });

    const flow = defaultFlow();
    const dev = await promoteVersion(backend, { artifact: 'churn', stage: 'dev', flow, version: 'v0.1.2', audit: { actor: 'ana', imageDigest: 'sha256:abc' } });
    expect(dev).toMatchObject({ tag: 'churn#dev#7', previousVersion: 'v0.1.0', created: true });
    const a = parseTagMessage(sh(dir, ['tag', '-l', '--format=%(contents)', 'churn#dev#7']));
    expect(a.title).toBe('Assigning stage dev to artifact churn version v0.1.2');
    expect(a.audit).toEqual({ actor: 'ana', commit: c[3], image_digest: 'sha256:abc', previous_version: 'v0.1.0' });
    // "the version now in the previous stage"
    const staging = await promoteVersion(backend, { artifact: 'churn', stage: 'staging', flow });
    expect(staging).toMatchObject({ version: 'v0.1.2', tag: 'churn#staging#8', previousVersion: 'v0.0.1' });
    // re-running is a no-op
    expect(await promoteVersion(backend, { artifact: 'churn', stage: 'staging', flow })).toMatchObject({ tag: 'churn#staging#8', created: false });
  });
});

describe('promotion order and bad input', () => {
  let dir: string;
  let backend: GitTagBackend;
  const flow = defaultFlow();
  beforeAll(async () => {
    ({ dir } = await repoWithCommits(3));
    backend = new GitTagBackend({ cwd: dir });
    for (const ref of ['HEAD~2', 'HEAD~1', 'HEAD']) await registerVersion(backend, { artifact: 'm', ref });
    await promoteVersion(backend, { artifact: 'm', stage: 'dev', flow, version: 'v0.0.1' });
  });
  const tagsNow = () => sh(dir, ['tag', '-l']).split('\n').sort();

  it('refuses to skip a stage, naming both stages and what holds them, and writes nothing', async () => {
    const before = tagsNow();
    await expect(promoteVersion(backend, { artifact: 'm', stage: 'production', flow, version: 'v0.0.1' })).rejects.toThrow(
      'refusing to assign production to m v0.0.1: it is not in staging (staging holds no version). Promote v0.0.1 to staging first, or use force with a reason.',
    );
    await expect(promoteVersion(backend, { artifact: 'm', stage: 'staging', flow, version: 'v0.0.2' })).rejects.toThrow(/it is not in dev \(dev holds v0.0.1\)/);
    expect(tagsNow()).toEqual(before);
  });

  it('force needs a reason, which is recorded', async () => {
    await expect(promoteVersion(backend, { artifact: 'm', stage: 'production', flow, version: 'v0.0.3', force: true })).rejects.toThrow(/force needs a reason/);
    const r = await promoteVersion(backend, { artifact: 'm', stage: 'production', flow, version: 'v0.0.3', force: true, reason: 'hotfix INC-42' });
    expect(parseTagMessage(sh(dir, ['tag', '-l', '--format=%(contents)', r.tag])).audit).toMatchObject({ forced: true, reason: 'hotfix INC-42', previous_version: null });
  });

  it('rollback re-assigns the version that held the stage before', async () => {
    await promoteVersion(backend, { artifact: 'm', stage: 'dev', flow, version: 'v0.0.2' });
    const r = await promoteVersion(backend, { artifact: 'm', stage: 'dev', flow, rollback: true, reason: 'bad latency' });
    expect(r).toMatchObject({ version: 'v0.0.1', previousVersion: 'v0.0.2', created: true });
    expect(parseTagMessage(sh(dir, ['tag', '-l', '--format=%(contents)', r.tag])).audit).toMatchObject({ rollback: true, reason: 'bad latency' });
    await expect(promoteVersion(backend, { artifact: 'm', stage: 'staging', flow, rollback: true })).rejects.toThrow(/no version is in staging/);
  });

  it.each([
    [{ artifact: 'bad name!', stage: 'dev', version: 'v0.0.1' }, /invalid artifact name "bad name!"/],
    [{ artifact: 'm', stage: 'dev', version: '1.2.3' }, /invalid version "1.2.3".*write "v1.2.3"/],
    [{ artifact: 'm', stage: 'qa', version: 'v0.0.1' }, /unknown stage "qa": the stages are dev, staging, production/],
    [{ artifact: 'm', stage: 'dev', version: 'v9.9.9' }, /version v9.9.9 of m is not registered \(registered: v0.0.1, v0.0.2, v0.0.3\)/],
    [{ artifact: 'nobody', stage: 'dev', version: 'v0.0.1' }, /artifact nobody has no registered version/],
    [{ artifact: 'm', stage: 'production' }, /no version of m is in staging, so there is nothing to promote to production/],
    [{ artifact: 'm', stage: 'dev' }, /dev is the first stage: say which version to assign/],
  ])('promote %j is refused', async (req, msg) => {
    const before = tagsNow();
    await expect(promoteVersion(backend, { flow, ...req })).rejects.toThrow(msg);
    expect(tagsNow()).toEqual(before);
  });

  it('register refuses bad versions and stays idempotent', async () => {
    await expect(registerVersion(backend, { artifact: 'm', ref: 'HEAD~1', version: '0.1.0' })).rejects.toThrow(/invalid version "0.1.0"/);
    await expect(registerVersion(backend, { artifact: 'm', ref: 'HEAD', version: 'v0.0.2' })).rejects.toThrow(/commit .* already has version v0.0.3/);
    await expect(registerVersion(backend, { artifact: 'm', ref: 'no-such-ref' })).rejects.toThrow(/"no-such-ref" does not name a commit/);
    const { dir: d2 } = await repoWithCommits(2);
    const b2 = new GitTagBackend({ cwd: d2 });
    await registerVersion(b2, { artifact: 'm', ref: 'HEAD~1', version: 'v1.0.0' });
    await expect(registerVersion(b2, { artifact: 'm', ref: 'HEAD', version: 'v0.9.0' })).rejects.toThrow(/must be greater than every registered version \(highest: v1.0.0\)/);
    expect(await registerVersion(b2, { artifact: 'm', ref: 'HEAD', bump: 'minor' })).toMatchObject({ version: 'v1.1.0' });
  });
});

describe('concurrent writers on a bare remote', () => {
  it('20 registrations give 20 distinct versions; 20 promotions give distinct counters', async () => {
    const { dir, commits } = await repoWithCommits(20);
    const bare = await makeTempDir('mlops-bare-');
    sh(bare, ['init', '-q', '--bare']);
    // A local bare remote would run `gc --auto` after each of the ~200 racing pushes; a hosted one does not.
    sh(bare, ['config', 'receive.autogc', 'false']);
    sh(bare, ['symbolic-ref', 'HEAD', 'refs/heads/main']);
    sh(dir, ['push', '-q', bare, 'main']);
    const clones = await Promise.all(
      commits.map(async () => {
        const d = await makeTempDir('mlops-clone-');
        sh(d, ['clone', '-q', bare, '.']);
        return new GitTagBackend({ cwd: d, remote: 'origin' });
      }),
    );
    const regs = await Promise.all(clones.map((b, i) => registerVersion(b, { artifact: 'm', ref: commits[i]! })));
    expect(new Set(regs.map((r) => r.version)).size).toBe(20);
    expect(regs.every((r) => r.created)).toBe(true);
    const remoteTags = sh(bare, ['tag', '-l']).split('\n');
    expect(remoteTags.filter((t) => t.startsWith('m@')).length).toBe(20);

    const flow = defaultFlow();
    const promos = await Promise.all(clones.map((b, i) => promoteVersion(b, { artifact: 'm', stage: 'dev', flow, version: regs[i]!.version })));
    const counters = promos.map((p) => Number(p.tag.split('#').at(-1)));
    expect(new Set(counters).size).toBe(20);
    expect(sh(bare, ['tag', '-l', 'm#dev#*']).split('\n').length).toBe(20);
    // every tag on the remote is annotated, and nothing was left behind locally that the remote lacks
    const tags = await readLocalTags(bare);
    expect(tags.every((t) => t.annotated)).toBe(true);
  }, 180_000);
});
