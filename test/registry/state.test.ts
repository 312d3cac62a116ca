import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPullRequest, defaultFlow, mergeAction, previousStage, stageFlow } from '../../src/lib/promotion.js';
import { promoteVersion } from '../../src/lib/registry/operations.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';
import { parseTagMessage, tagMessage } from '../../src/lib/registry/audit.js';
import { buildState, previousHolder, servingCommit, showJson, stageTimeline, type RawTag } from '../../src/lib/registry/state.js';

const C = (n: number) => n.toString(16).padStart(40, '0');
let clock = 1_700_000_000;
/** An annotated tag on commit C(n), one second after the previous one. */
const t = (name: string, commit: number, extra: Partial<RawTag> = {}): RawTag => ({ name, annotated: true, commit: C(commit), time: clock++, ...extra });

describe('registry state', () => {
  it('versions in semver order, latest, and the latest assignment in force per stage', () => {
    const s = buildState([
      t('m@v0.0.1', 1),
      t('m@v0.0.2', 2),
      t('m@v0.1.0', 3),
      t('m#dev#1', 1),
      t('m#dev#2', 2),
      t('m#staging#3', 1),
      t('m#prod#4', 1),
      t('m#staging#5', 2),
    ]);
    expect(showJson(s)).toEqual({
      artifacts: { m: { versions: ['v0.0.1', 'v0.0.2', 'v0.1.0'], latest: 'v0.1.0', stages: { dev: 'v0.0.2', prod: 'v0.0.1', staging: 'v0.0.2' } } },
    });
    expect(servingCommit(s, 'm', 'staging')).toEqual({ version: 'v0.0.2', commit: C(2), tag: 'm#staging#5' });
    expect(servingCommit(s, 'm', 'nope')).toBeUndefined();
  });

  it('orders by counter, not by tag time, when counters are present', () => {
    const s = buildState([t('m@v0.0.1', 1), t('m@v0.0.2', 2), t('m#dev#9', 1, { time: 10 }), t('m#dev#8', 2, { time: 20 })]);
    expect(s.artifacts.get('m')!.stages.dev!.version).toBe('v0.0.1');
  });

  it('orders by tag time without counters (GTO --simple assignments)', () => {
    const s = buildState([t('m@v0.0.1', 1), t('m@v0.0.2', 2), t('m#dev', 2, { time: 50 }), t('m#prod', 1, { time: 40 })]);
    expect(showJson(s).artifacts.m!.stages).toEqual({ dev: 'v0.0.2', prod: 'v0.0.1' });
  });

  it('deregistered versions drop out, and so do their stages', () => {
    const s = buildState([t('m@v0.0.1', 1), t('m@v0.0.2', 2), t('m#prod#1', 1), t('m#prod#2', 2), t('m@v0.0.2!', 2)]);
    expect(showJson(s).artifacts.m).toEqual({ versions: ['v0.0.1'], latest: 'v0.0.1', stages: { prod: 'v0.0.1' } });
  });

  it('unassign removes the version from the stage; the assignment before it is in force again', () => {
    const s = buildState([t('m@v0.0.1', 1), t('m@v0.0.2', 2), t('m#prod#1', 1), t('m#prod#2', 2), t('m#prod!#3', 2)]);
    expect(showJson(s).artifacts.m!.stages).toEqual({ prod: 'v0.0.1' });
    const s2 = buildState([t('m@v0.0.1', 1), t('m#prod#1', 1), t('m#prod!#2', 1)]);
    expect(showJson(s2).artifacts.m!.stages).toEqual({});
  });

  it('a deprecated artifact is hidden unless asked for; a later registration revives it', () => {
    const tags = [t('m@v0.0.1', 1), t('old@v1.0.0', 1), t('old@deprecated', 1)];
    expect(Object.keys(showJson(buildState(tags)).artifacts)).toEqual(['m']);
    expect(Object.keys(showJson(buildState(tags), { deprecated: true }).artifacts)).toEqual(['m', 'old']);
    expect(buildState([...tags, t('old@v1.0.1', 2)]).artifacts.get('old')!.deprecated).toBe(false);
  });

  it('ignores lightweight tags and names that do not parse, but counts their counters and names', () => {
    const debug: string[] = [];
    const s = buildState(
      [t('m@v0.0.1', 1), { name: 'm#dev#7', annotated: false, commit: C(1) }, { name: 'm@v0.0.9', annotated: false, commit: C(2) }, t('release-1', 1), t('m@1.0.0', 1)],
      { debug: (m) => debug.push(m), info: () => {}, warning: () => {} },
    );
    const m = s.artifacts.get('m')!;
    expect(m.activeVersions).toEqual(['v0.0.1']);
    expect(m.stages).toEqual({});
    expect(m.maxCounter).toBe(7);
    expect(m.takenVersions.has('v0.0.9')).toBe(true);
    expect(debug.join('\n')).toMatch(/release-1.*not a registry tag/);
    expect(debug.join('\n')).toMatch(/lightweight tag "m#dev#7"/);
  });

  it('an assignment on a commit without a version names the version by the commit sha (gto --skip-registration)', () => {
    const s = buildState([t('m@v0.0.1', 1), t('m#dev#1', 5)]);
    const m = s.artifacts.get('m')!;
    expect(m.stages.dev!.version).toBe(C(5));
    expect(m.activeVersions).toEqual(['v0.0.1']);
    // registering that commit later makes the assignment belong to the version, as in GTO
    expect(buildState([t('m@v0.0.1', 1), t('m#dev#1', 5), t('m@v0.0.2', 5)]).artifacts.get('m')!.stages.dev!.version).toBe('v0.0.2');
  });

  it('folder artifacts are shown as folder:name', () => {
    expect(Object.keys(showJson(buildState([t('models/x=nn@v0.0.1', 1)])).artifacts)).toEqual(['models/x:nn']);
  });

  it('knows who held a stage before (rollback target)', () => {
    const s = buildState([t('m@v0.0.1', 1), t('m@v0.0.2', 2), t('m@v0.0.3', 3), t('m#prod#1', 1), t('m#prod#2', 2), t('m#prod#3', 3)]);
    const m = s.artifacts.get('m')!;
    expect(stageTimeline(m, 'prod').map((h) => h.version)).toEqual(['v0.0.1', 'v0.0.2', 'v0.0.3']);
    expect(previousHolder(m, 'prod')!.version).toBe('v0.0.2');
  });

  it('merges counter and time orders consistently when clocks disagree', () => {
    // counter order says dev#1 < dev#2; a GTO --simple assignment sits between them by time.
    const s = buildState([t('m@v0.0.1', 1, { time: 1 }), t('m@v0.0.2', 2, { time: 2 }), t('m@v0.0.3', 3, { time: 3 }), t('m#dev#1', 1, { time: 10 }), t('m#dev', 3, { time: 15 }), t('m#dev#2', 2, { time: 12 })]);
    expect(s.artifacts.get('m')!.events.map((e) => e.tag).slice(3)).toEqual(['m#dev#1', 'm#dev#2', 'm#dev']);
    expect(s.artifacts.get('m')!.stages.dev!.version).toBe('v0.0.3');
  });
});

describe('tag messages', () => {
  it('keeps GTO first line and a JSON audit record', () => {
    const msg = tagMessage('Assigning stage prod to artifact m version v0.0.2', { actor: 'ana', previous_version: null, forced: undefined });
    expect(msg).toBe('Assigning stage prod to artifact m version v0.0.2\n\n{"actor":"ana","previous_version":null}\n');
    expect(parseTagMessage(msg)).toEqual({ title: 'Assigning stage prod to artifact m version v0.0.2', audit: { actor: 'ana', previous_version: null } });
    expect(parseTagMessage('Registering artifact m version v0.0.1\n')).toEqual({ title: 'Registering artifact m version v0.0.1' });
  });
});

describe('promotion flow', () => {
  const flow = defaultFlow();
  it.each([
    ['experiment/lr-sweep', 'main', true],
    ['feature/x', 'main', true],
    ['main', 'staging', true],
    ['staging', 'production', true],
    ['main', 'production', false],
    ['experiment/x', 'staging', false],
    ['staging', 'main', false],
    ['feature/x', 'docs', true],
  ])('%s -> %s allowed: %s', (from, into, allowed) => {
    expect(checkPullRequest(flow, from, into).allowed).toBe(allowed);
  });

  it('names the branch a PR must come from', () => {
    expect(checkPullRequest(flow, 'main', 'production').reason).toBe('pull requests into production (production) must come from staging, not from main');
    expect(checkPullRequest(flow, 'refs/heads/staging', 'main').reason).toMatch(/must come from a feature or experiment branch, not from staging/);
  });

  it('follows mlops.yml stages and branches', () => {
    const custom = { stages: ['dev', 'qa', 'prod'], branches: { develop: 'dev', qa: 'qa', release: 'prod' } };
    expect(checkPullRequest(custom, 'qa', 'release').allowed).toBe(true);
    expect(checkPullRequest(custom, 'develop', 'release').reason).toMatch(/must come from qa/);
    expect(previousStage(custom, 'prod')).toBe('qa');
    expect(mergeAction(custom, 'develop')).toEqual({ kind: 'register', stage: 'dev' });
    expect(mergeAction(custom, 'release')).toEqual({ kind: 'promote', stage: 'prod', from: 'qa' });
    expect(mergeAction(custom, 'feature/x')).toEqual({ kind: 'none' });
  });
});

describe("GTO's .gto stages allow-list", () => {
  afterAll(cleanupTempDirs);
  it('is read (any key case) and a stage outside it is refused before anything is read or written', async () => {
    const dir = await makeTempDir('mlops-gto-');
    writeFileSync(join(dir, '.gto'), 'STAGES: [dev, staging]\n');
    const flow = stageFlow(undefined, dir);
    expect(flow.gtoStages).toEqual(['dev', 'staging']);
    const backend = {
      where: 'nowhere',
      readTags: () => Promise.reject(new Error('must not read')),
      resolveCommit: () => Promise.reject(new Error('must not resolve')),
      createTag: () => Promise.reject(new Error('must not write')),
    };
    await expect(promoteVersion(backend, { artifact: 'm', stage: 'production', flow, version: 'v0.0.1' })).rejects.toThrow(
      'stage "production" is not allowed by .gto (stages: dev, staging): add it there too',
    );
    writeFileSync(join(dir, '.gto'), 'stages: prod\n');
    expect(() => stageFlow(undefined, dir)).toThrow(/`stages` must be a list/);
  });
});
