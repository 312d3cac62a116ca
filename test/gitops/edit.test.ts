import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { UserError } from '../../src/lib/errors.js';
import { argoImageName, argoKustomizeImage } from '../../src/lib/gitops/argocd.js';
import { checkUpdate, detectFormat, editImage } from '../../src/lib/gitops/edit.js';
import { parseImageRef } from '../../src/lib/gitops/image-ref.js';
import { plainSafe } from '../../src/lib/gitops/yaml-edit.js';
import { goldenCases, runGolden } from './golden.js';

const D = `sha256:${'c'.repeat(64)}`;

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('golden files (every byte but the changed values kept)', () => {
  for (const c of goldenCases()) {
    it(c.name, () => {
      const input = readFileSync(join(c.dir, c.file), 'utf8');
      const expected = readFileSync(join(c.dir, `${c.file}.expected`), 'utf8');
      const r = runGolden(c, input);
      expect(r.changed).toBe(true);
      expect(r.content).toBe(expected);
      // Idempotent: bumping the result again changes nothing.
      const again = runGolden(c, expected);
      expect(again.changed).toBe(false);
      expect(again.content).toBe(expected);
      // Line endings of the input are the line endings of the output.
      if (input.includes('\r\n')) expect(expected.replace(/\r\n/g, '')).not.toContain('\n');
    });
  }

  it('kustomize: the edited entry means what kustomize edit set image writes', () => {
    const c = goldenCases().find((g) => g.name === 'kustomize-tag-digest')!;
    const out = parse(readFileSync(join(c.dir, `${c.file}.expected`), 'utf8'));
    expect(out.images[0]).toEqual({ name: 'churn', newName: 'ghcr.io/acme/churn', newTag: 'v1.2.0', digest: c.spec.digest });
    expect(out.images[1]).toEqual({ name: 'redis', newTag: '7.0' });
  });

  it('kustomize: a tag alone replaces the whole entry (stale digest and newName dropped), quoted when YAML would read a number', () => {
    const c = goldenCases().find((g) => g.name === 'kustomize-drop-stale')!;
    const out = parse(readFileSync(join(c.dir, `${c.file}.expected`), 'utf8'));
    expect(out.images).toEqual([{ name: 'churn', newTag: '1.10' }, { name: 'other', newTag: 'v9' }]);
  });

  it('flux: every marker of the policy set, other policies untouched', () => {
    const c = goldenCases().find((g) => g.name === 'flux-markers')!;
    const docs = parseAllDocuments(readFileSync(join(c.dir, `${c.file}.expected`), 'utf8')).map((d) => d.toJS());
    expect(docs[0].spec.template.spec.containers.map((x: { image: string }) => x.image)).toEqual([`ghcr.io/acme/churn:v1.2.0@${c.spec.digest}`, 'redis:7']);
    expect(docs[1].images[0]).toEqual({ name: 'churn', newName: 'ghcr.io/acme/churn', newTag: 'v1.2.0', digest: c.spec.digest });
  });
});

describe('formats', () => {
  it('kustomize: matches name exactly (no prefix or normalised match)', () => {
    const text = 'images:\n- name: ghcr.io/acme/churn-api\n  newTag: v1\n- name: docker.io/library/churn\n  newTag: v1\n';
    const e = userError(() => editImage('kustomize', text, 'k.yaml', checkUpdate({ image: 'churn', tag: 'v2' })));
    expect(e.message).toContain('no images entry with name "churn"');
    expect(e.message).toContain('ghcr.io/acme/churn-api, docker.io/library/churn');
    expect(e.file).toBe('k.yaml');
    expect(e.line).toBe(2);
  });

  it('kustomize: create adds an images: list where there is none, in kustomize layout', () => {
    const r = editImage('kustomize', 'resources:\n  - a.yaml\n', 'k.yaml', checkUpdate({ image: 'churn', tag: 'v2', digest: D }), { create: true });
    expect(r.content).toBe(`resources:\n  - a.yaml\nimages:\n  - name: churn\n    newTag: v2\n    digest: ${D}\n`);
  });

  it('kustomize: CRLF files keep CRLF, also on inserted lines', () => {
    // Inline, not a golden file: the repository normalises committed line endings to LF.
    const text = 'kind: Kustomization\r\nimages:\r\n  - name: churn # crlf\r\n    newTag: v1\r\n';
    const r = editImage('kustomize', text, 'k.yaml', checkUpdate({ image: 'churn', tag: 'v2', digest: D }));
    expect(r.content).toBe(`kind: Kustomization\r\nimages:\r\n  - name: churn # crlf\r\n    newTag: v2\r\n    digest: ${D}\r\n`);
  });

  it('kustomize: unchanged file is byte-identical and changed=false', () => {
    const text = 'images:\n- name: churn # x\n  newTag: v2\n';
    const r = editImage('kustomize', text, 'k.yaml', checkUpdate({ image: 'churn', tag: 'v2' }));
    expect(r).toMatchObject({ changed: false, content: text, from: 'churn:v2', to: 'churn:v2' });
  });

  it('helm: a digest without a digest slot or tag is refused', () => {
    const e = userError(() => editHelm('image:\n  repository: r\n  tag: v1\n', { image: 'r', digest: D }));
    expect(e.message).toContain('helm.digest');
  });

  it('helm: missing path without create names the path and line', () => {
    const e = userError(() => editHelm('image:\n  name: r\n', { image: 'r', tag: 'v1' }));
    expect(e.message).toContain('no value at image.repository');
    expect(e.field).toBe('image.repository');
  });

  it('helm: without a new digest an existing digest value is emptied', () => {
    const r = editImage('helm', `image:\n  repository: r\n  tag: v1\n  digest: "${D}"\n`, 'v.yaml', checkUpdate({ image: 'r', tag: 'v2' }));
    expect(r.content).toBe('image:\n  repository: r\n  tag: v2\n  digest: ""\n');
  });

  it('argocd: override strings in kustomize edit set image syntax', () => {
    expect(argoKustomizeImage({ name: 'churn', newName: 'ghcr.io/a/churn', tag: 'v1', digest: D })).toBe(`churn=ghcr.io/a/churn:v1@${D}`);
    expect(argoKustomizeImage({ name: 'localhost:5000/a/churn', tag: 'v1' })).toBe('localhost:5000/a/churn:v1');
    expect(argoKustomizeImage({ name: 'churn', digest: D })).toBe(`churn@${D}`);
    expect(argoImageName('churn=ghcr.io/a/churn:v1')).toBe('churn');
    expect(argoImageName('localhost:5000/a/churn:v1')).toBe('localhost:5000/a/churn');
    expect(argoImageName(`churn@${D}`)).toBe('churn');
  });

  it('argocd: a missing override file is written with create, refused without', () => {
    const u = checkUpdate({ image: 'ghcr.io/a/churn', tag: 'v1' });
    expect(editImage('argocd', undefined, '.argocd-source-churn.yaml', u, { create: true }).content).toBe('kustomize:\n  images:\n  - ghcr.io/a/churn:v1\n');
    expect(userError(() => editImage('argocd', undefined, '.argocd-source-churn.yaml', u)).message).toContain('not found');
  });

  it('flux: several policies and none holding the image -> asks for the policy', () => {
    const text = 'a: x:1 # {"$imagepolicy": "ns:a"}\nb: y:1 # {"$imagepolicy": "ns:b"}\n';
    expect(userError(() => editImage('flux', text, 'f.yaml', checkUpdate({ image: 'z', tag: '2' }))).message).toContain('several image policies');
    const r = editImage('flux', text, 'f.yaml', checkUpdate({ image: 'z', tag: '2' }), { policy: 'ns:b' });
    expect(r.content).toBe('a: x:1 # {"$imagepolicy": "ns:a"}\nb: z:2 # {"$imagepolicy": "ns:b"}\n');
  });

  it('flux: a file without markers is an error naming the file', () => {
    const e = userError(() => editImage('flux', 'image: x:1\n', 'f.yaml', checkUpdate({ image: 'x', tag: '2' })));
    expect(e.file).toBe('f.yaml');
    expect(e.message).toContain('$imagepolicy');
  });
});

describe('bad input', () => {
  it('malformed YAML -> UserError with file and line, nothing returned', () => {
    const e = userError(() => editImage('kustomize', 'images:\n- name: churn\n  newTag: [v1\n', 'overlays/dev/kustomization.yaml', checkUpdate({ image: 'churn', tag: 'v2' })));
    expect(e.file).toBe('overlays/dev/kustomization.yaml');
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toContain('invalid YAML');
  });

  it('empty or non-mapping file -> UserError, not a crash', () => {
    for (const text of ['', '# only a comment\n', '- a\n- b\n']) {
      expect(userError(() => editImage('kustomize', text, 'k.yaml', checkUpdate({ image: 'churn', tag: 'v2' }))).file).toBe('k.yaml');
      expect(userError(() => editImage('helm', text, 'v.yaml', checkUpdate({ image: 'churn', tag: 'v2' }))).file).toBe('v.yaml');
    }
    expect(userError(() => editImage('kustomize', 'a: 1\n---\nb: 2\n', 'k.yaml', checkUpdate({ image: 'churn', tag: 'v2' }))).message).toContain('one YAML document');
  });

  it('missing file -> UserError naming the file', () => {
    const e = userError(() => editImage('kustomize', undefined, 'overlays/dev/kustomization.yaml', checkUpdate({ image: 'churn', tag: 'v2' })));
    expect(e.message).toContain('overlays/dev/kustomization.yaml not found');
  });

  it.each([
    [{ image: 'Churn', tag: 'v1' }, 'image'],
    [{ image: 'churn', tag: '-v1' }, 'tag'],
    [{ image: 'churn', tag: 'v1 ' }, 'tag'],
    [{ image: 'churn', digest: 'sha256:abc' }, 'digest'],
    [{ image: 'churn', digest: `md5:${'a'.repeat(32)}` }, 'digest'],
    [{ image: 'churn:v1', tag: 'v2' }, 'tag'],
    [{ image: 'churn' }, 'tag'],
    [{ image: 'ghcr.io/acme/churn', newName: 'x:1', tag: 'v1' }, 'new-name'],
  ])('invalid image parts %j -> UserError on %s', (input, field) => {
    expect(userError(() => checkUpdate(input)).field).toBe(field);
  });

  it('image references: registry with port, path, tag, digest', () => {
    expect(parseImageRef(`localhost:5000/acme/churn:v1.2@${D}`)).toEqual({ name: 'localhost:5000/acme/churn', tag: 'v1.2', digest: D });
    expect(parseImageRef('registry.example.com:443/a/b/c')).toEqual({ name: 'registry.example.com:443/a/b/c', tag: undefined, digest: undefined });
    expect(parseImageRef('churn:latest')).toEqual({ name: 'churn', tag: 'latest', digest: undefined });
    expect(checkUpdate({ image: `ghcr.io/a/b:v3@${D}` })).toEqual({ name: 'ghcr.io/a/b', newName: undefined, tag: 'v3', digest: D });
  });

  it('values that YAML would read as something else are quoted', () => {
    for (const v of ['1.10', 'true', 'yes', 'null', '0755', '1e3', '~', 'on']) expect(plainSafe(v), v).toBe(false);
    for (const v of ['v1.2.0', 'sha-abc1234', 'ghcr.io/acme/churn', D, 'localhost:5000/a']) expect(plainSafe(v), v).toBe(true);
  });

  it('format guessing', () => {
    expect(detectFormat('overlays/dev/kustomization.yaml')).toBe('kustomize');
    expect(detectFormat('apps/.argocd-source-churn.yaml')).toBe('argocd');
    expect(detectFormat('charts/churn/values-prod.yaml')).toBe('helm');
    expect(detectFormat('apps/deploy.yaml', 'image: x # {"$imagepolicy": "a:b"}')).toBe('flux');
  });
});

function editHelm(text: string, input: { image: string; tag?: string; digest?: string }) {
  return editImage('helm', text, 'values.yaml', checkUpdate(input));
}
