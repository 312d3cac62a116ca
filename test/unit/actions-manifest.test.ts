/**
 * Every action.yml matches its entry file and the README: each declared input is read, each read input
 * is declared, each output is set, and README's generated tables are current.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listActions, renderReadme, root } from '../../scripts/action-docs.js';

const READERS = '(?:input|boolInput|intInput|listInput|secretInput)';

function literalCalls(source: string, fn: string): Set<string> {
  const re = new RegExp(`\\b${fn}\\(\\s*['"]([a-z0-9-]+)['"]`, 'g');
  return new Set([...source.matchAll(re)].map((m) => m[1]!));
}

const actions = listActions();

describe('action manifests', () => {
  it('has actions', () => expect(actions.length).toBeGreaterThan(0));

  for (const { dir, manifest } of actions) {
    describe(dir, () => {
      it('documents itself', () => {
        expect(manifest.name).toBeTruthy();
        expect(manifest.description).toBeTruthy();
        for (const [k, v] of Object.entries(manifest.inputs ?? {})) expect(v.description, `input ${k}`).toBeTruthy();
        for (const [k, v] of Object.entries(manifest.outputs ?? {})) expect(v.description, `output ${k}`).toBeTruthy();
      });

      if (manifest.runs.using === 'composite') return;

      it('runs its committed bundle on node24', () => {
        expect(manifest.runs.using).toBe('node24');
        expect(manifest.runs.main).toBe(`../../dist/${dir}/index.js`);
        expect(existsSync(join(root, 'dist', dir, 'index.js'))).toBe(true);
      });

      it('reads every declared input and sets every declared output', () => {
        const source = readFileSync(join(root, 'src/actions', `${dir}.ts`), 'utf8');
        const read = literalCalls(source, READERS);
        const set = literalCalls(source, 'output');
        expect([...read].sort()).toEqual(Object.keys(manifest.inputs ?? {}).sort());
        expect([...set].sort()).toEqual(Object.keys(manifest.outputs ?? {}).sort());
      });
    });
  }
});

describe('README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  it('has a generated table for every action', () => {
    for (const { dir } of actions) expect(readme, dir).toContain(`<!-- action-docs:${dir} -->`);
  });
  it('tables match action.yml (run npm run readme)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });
});
