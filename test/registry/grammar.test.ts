import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import { formatTag, isArtifactName, isStageName, isVersion, parseTag, type TagSpec } from '../../src/lib/registry/grammar.js';
import { bumpVersion, compareVersions, sortVersions } from '../../src/lib/registry/versions.js';

describe('tag grammar: parse', () => {
  it.each([
    ['churn@v0.0.1', { artifact: 'churn', action: 'register', version: 'v0.0.1' }],
    ['churn@v1.2.3!', { artifact: 'churn', action: 'deregister', version: 'v1.2.3' }],
    ['churn#prod#3', { artifact: 'churn', action: 'assign', stage: 'prod', counter: 3 }],
    ['churn#prod', { artifact: 'churn', action: 'assign', stage: 'prod' }],
    ['churn#prod!#4', { artifact: 'churn', action: 'unassign', stage: 'prod', counter: 4 }],
    ['churn@deprecated', { artifact: 'churn', action: 'deprecate' }],
    ['churn@deprecated#7', { artifact: 'churn', action: 'deprecate', counter: 7 }],
    ['churn@created', { artifact: 'churn', action: 'create' }],
    ['dvclive/dsd=nn@v0.0.1', { artifact: 'dvclive/dsd:nn', action: 'register', version: 'v0.0.1' }],
    ['models/a.b_c-d=My_Model#staging#12', { artifact: 'models/a.b_c-d:My_Model', action: 'assign', stage: 'staging', counter: 12 }],
    ['nn@v1.0.0-rc.1+build.5', { artifact: 'nn', action: 'register', version: 'v1.0.0-rc.1+build.5' }],
    ['a/b_c@v10.20.30-alpha-1.0.x-y', { artifact: 'a/b_c', action: 'register', version: 'v10.20.30-alpha-1.0.x-y' }],
    ['x@v0.0.1#2', { artifact: 'x', action: 'register', version: 'v0.0.1', counter: 2 }],
  ])('%s', (tag, expected) => {
    expect(parseTag(tag)).toEqual({ tag, ...expected });
  });

  it.each([
    'churn@1.2.3', // no v
    'churn@v1.2', // two parts
    'churn@v01.2.3', // leading zero
    'churn@v1.2.3-01', // numeric pre-release with leading zero
    'churn@v1.2.3+', // empty build
    '-churn@v1.0.0', // name must start with a letter or digit
    'churn-@v1.0.0', // ... and end with one
    'churn#-prod#1',
    'churn#prod#',
    'churn#prod#x',
    'churn',
    'v1.0.0',
    'release-2024',
    'a=b=c@v1.0.0', // two folder separators
    'churn@latest',
    'churn@deprecated!',
    'ch urn@v1.0.0',
    'churn#prod#1#2',
  ])('not a registry tag: %s', (tag) => {
    expect(parseTag(tag)).toBeUndefined();
  });
});

describe('tag grammar: format', () => {
  it.each<[TagSpec, string]>([
    [{ artifact: 'churn', action: 'register', version: 'v0.0.1' }, 'churn@v0.0.1'],
    [{ artifact: 'churn', action: 'deregister', version: 'v0.0.1' }, 'churn@v0.0.1!'],
    [{ artifact: 'churn', action: 'assign', stage: 'prod', counter: 5 }, 'churn#prod#5'],
    [{ artifact: 'churn', action: 'unassign', stage: 'prod', counter: 6 }, 'churn#prod!#6'],
    [{ artifact: 'churn', action: 'deprecate' }, 'churn@deprecated'],
    [{ artifact: 'dvclive/dsd:nn', action: 'register', version: 'v1.0.0-rc.1+b.2' }, 'dvclive/dsd=nn@v1.0.0-rc.1+b.2'],
  ])('%j -> %s, and back', (spec, tag) => {
    expect(formatTag(spec)).toBe(tag);
    expect(parseTag(tag)).toMatchObject({ ...spec, tag });
  });

  it('refuses what does not parse, naming the part at fault', () => {
    expect(() => formatTag({ artifact: 'bad name', action: 'register', version: 'v1.0.0' })).toThrow(/invalid artifact name "bad name"/);
    expect(() => formatTag({ artifact: 'churn', action: 'register', version: '1.2.3' })).toThrow(/invalid version "1.2.3".*write "v1.2.3"/);
    expect(() => formatTag({ artifact: 'churn', action: 'assign', stage: 'prod!' })).toThrow(UserError);
  });

  it('classifies names', () => {
    expect(isArtifactName('folder/sub:model')).toBe(true);
    expect(isArtifactName('a:b:c')).toBe(false);
    expect(isArtifactName('Model_1')).toBe(true);
    expect(isStageName('prod-eu')).toBe(true);
    expect(isStageName('prod.eu')).toBe(false);
    expect(isVersion('v0.0.0')).toBe(true);
    expect(isVersion('V1.0.0')).toBe(false);
  });
});

describe('versions', () => {
  it('sorts by semver precedence, pre-releases first', () => {
    expect(sortVersions(['v1.0.0', 'v0.10.0', 'v1.0.0-rc.1', 'v0.9.1', 'v1.0.0-alpha', 'v2.0.0'])).toEqual([
      'v0.9.1',
      'v0.10.0',
      'v1.0.0-alpha',
      'v1.0.0-rc.1',
      'v1.0.0',
      'v2.0.0',
    ]);
    expect(compareVersions('v1.0.0+a', 'v1.0.0+b')).toBeLessThan(0);
  });

  it('bumps like GTO: first v0.0.1, patch by default, pre-release dropped', () => {
    expect(bumpVersion(undefined)).toBe('v0.0.1');
    expect(bumpVersion('v0.0.1')).toBe('v0.0.2');
    expect(bumpVersion('v1.2.3', 'minor')).toBe('v1.3.0');
    expect(bumpVersion('v1.2.3', 'major')).toBe('v2.0.0');
    expect(bumpVersion('v1.2.0-rc.1', 'patch')).toBe('v1.2.1');
  });
});
