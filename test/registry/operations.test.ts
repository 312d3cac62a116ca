/** Register/promote rules over an in-memory tag store (the real backends are covered in git.test.ts and api.test.ts). */
import { describe, expect, it } from 'vitest';
import { defaultFlow } from '../../src/lib/promotion.js';
import type { NewTag, RegistryBackend } from '../../src/lib/registry/backend.js';
import { promoteVersion, registerVersion } from '../../src/lib/registry/operations.js';
import type { RawTag } from '../../src/lib/registry/state.js';

/** Tags in a Map; creating a taken name fails like a ref that exists. */
function memoryBackend(commits: string[]): RegistryBackend & { tags: Map<string, RawTag> } {
  const tags = new Map<string, RawTag>();
  let clock = 1_700_000_000;
  return {
    tags,
    where: 'memory',
    readTags: async () => [...tags.values()],
    resolveCommit: async (ref) => {
      const c = commits.find((x) => x === ref || x.startsWith(ref));
      if (!c) throw new Error(`no commit ${ref}`);
      return c;
    },
    createTag: async (t: NewTag) => {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      if (tags.has(t.name)) return { created: false };
      tags.set(t.name, { name: t.name, annotated: true, commit: t.commit, time: clock++, message: t.message });
      return { created: true };
    },
  };
}

const commits = Array.from({ length: 20 }, (_, i) => (i + 1).toString(16).padStart(40, 'a'));
const flow = defaultFlow();

describe('register and promote rules', () => {
  it('a re-run of a promotion is a no-op even when the previous stage has moved on', async () => {
    const b = memoryBackend(commits);
    await registerVersion(b, { artifact: 'm', ref: commits[0]! });
    await registerVersion(b, { artifact: 'm', ref: commits[1]! });
    await promoteVersion(b, { artifact: 'm', stage: 'dev', flow, version: 'v0.0.1' });
    await promoteVersion(b, { artifact: 'm', stage: 'staging', flow });
    await promoteVersion(b, { artifact: 'm', stage: 'dev', flow, version: 'v0.0.2' });
    const again = await promoteVersion(b, { artifact: 'm', stage: 'staging', flow, version: 'v0.0.1' });
    expect(again).toMatchObject({ created: false, tag: 'm#staging#2' });
    expect(b.tags.size).toBe(5);
  });

  it('20 concurrent writers: distinct consecutive versions, then distinct consecutive counters', async () => {
    const b = memoryBackend(commits);
    const regs = await Promise.all(commits.map((ref) => registerVersion(b, { artifact: 'm', ref, attempts: 60 })));
    expect(regs.map((r) => r.version).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v0.0.${i + 1}`).sort());
    const promos = await Promise.all(regs.map((r) => promoteVersion(b, { artifact: 'm', stage: 'dev', flow, version: r.version, attempts: 60 })));
    expect(promos.map((p) => Number(p.tag.split('#')[2])).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('two writers at once get different versions; a re-run on a registered commit returns its version', async () => {
    const b = memoryBackend(commits);
    const [a, c] = await Promise.all([registerVersion(b, { artifact: 'm', ref: commits[0]! }), registerVersion(b, { artifact: 'm', ref: commits[5]! })]);
    expect(a.version).not.toBe(c.version);
    const rerun = await registerVersion(b, { artifact: 'm', ref: commits[0]! });
    expect(rerun).toMatchObject({ version: a.version, created: false });
  });
});
