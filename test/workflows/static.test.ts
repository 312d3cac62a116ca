/**
 * Static verification of everything we ship that GitHub parses: our reusable workflows, this repo's
 * CI, every action.yml and the starter templates must pass the language service, actionlint, the
 * contract check and the security policy. Each deliberately bad fixture (fixtures/bad/*.yml, one
 * problem each, dropped into a clean mini repository) proves the check it names really fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadShippedFiles } from '../../src/lib/workflows/files.js';
import { formatFinding, verifyFiles, verifyRepository, type CheckId } from '../../src/lib/workflows/index.js';
import { ACTION_NEEDS } from '../../src/lib/workflows/permissions.js';
import { localActionPath, localWorkflowPath } from '../../src/lib/workflows/files.js';
import { references } from '../../src/lib/workflows/model.js';
import { renderWorkflowDocs } from '../../src/lib/workflows/docs.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(here, 'fixtures');

describe('shipped workflows and actions', () => {
  it('pass the language service, actionlint, the contract check and the policy', async () => {
    const findings = await verifyRepository(root);
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it('ship the reusable workflows, the composites and this repo\'s CI', () => {
    const files = loadShippedFiles(root);
    for (const p of ['ml-pr', 'ml-promote', 'ml-rollback', 'ml-pr-fork', 'ci', 'check-dist']) {
      expect(files.has(`.github/workflows/${p}.yml`), p).toBe(true);
    }
    expect(files.has('actions/ml-pr-check/action.yml')).toBe(true);
  });

  it('know the permissions of every JavaScript action', () => {
    const files = loadShippedFiles(root);
    for (const [path, text] of files) {
      const m = /^actions\/([^/]+)\/action\.yml$/.exec(path);
      if (m && /using:\s*['"]?node/.test(text)) expect(ACTION_NEEDS[m[1]!], `${m[1]} in src/lib/workflows/permissions.ts`).toBeDefined();
    }
  });

  it('run the metric gate and the flow guard on merge_group too (merge queue)', () => {
    const text = readFileSync(join(root, 'action-templates/mlops-pr.yml'), 'utf8');
    expect(text).toMatch(/^\s+merge_group:/m);
    expect(text).toMatch(/ml-pr\.yml@/);
  });
});

describe('bad fixtures', () => {
  const base = loadShippedFiles(join(fixtures, 'base'));

  it('the clean base passes every check', async () => {
    expect((await verifyFiles(base)).map(formatFinding)).toEqual([]);
  });

  for (const name of readdirSync(join(fixtures, 'bad')).sort()) {
    const text = readFileSync(join(fixtures, 'bad', name), 'utf8');
    const path = /^# path: (.+)$/m.exec(text)?.[1];
    const expected = (/^# expect: (.+)$/m.exec(text)?.[1] ?? '').split(',').map((s) => s.trim()) as CheckId[];
    it(`${name} fails ${expected.join(' and ')}`, async () => {
      expect(path, 'fixture names its path').toBeTruthy();
      const files = new Map(base);
      files.set(path!, text);
      const findings = await verifyFiles(files);
      const checks = new Set(findings.map((f) => f.check));
      for (const c of expected) expect([...checks], findings.map(formatFinding).join('\n')).toContain(c);
      // Every finding is about the swapped-in file: the check points at the right place.
      expect(findings.every((f) => f.file === path), findings.map(formatFinding).join('\n')).toBe(true);
      expect(findings.every((f) => f.check === 'syntax' || typeof f.line === 'number')).toBe(true);
    });
  }
});

describe('reference resolution', () => {
  it('maps $/, ./ and <owner>/mlops-actions references to this repository', () => {
    expect(localActionPath('$/actions/dvc-pull')).toBe('actions/dvc-pull');
    expect(localActionPath('./actions/dvc-pull')).toBe('actions/dvc-pull');
    expect(localActionPath('acme/mlops-actions/actions/metric-gate@0123456789012345678901234567890123456789')).toBe('actions/metric-gate');
    expect(localActionPath('actions/checkout@v5')).toBeUndefined();
    expect(localWorkflowPath('$/.github/workflows/ml-pr.yml')).toBe('.github/workflows/ml-pr.yml');
    expect(localWorkflowPath('acme/mlops-actions/.github/workflows/ml-pr.yml@v0')).toBe('.github/workflows/ml-pr.yml');
    expect(localWorkflowPath('acme/other/.github/workflows/ml-pr.yml@v0')).toBeUndefined();
  });

  it('finds references in expressions but not in string literals or other contexts', () => {
    const refs = references(
      { a: "${{ steps.x.outputs.y }} ${{ github.event.inputs.z }} ${{ format('inputs.q {0}', needs.j.outputs.o) }}", if: "inputs.flag && secrets.S != ''" },
      [],
    );
    expect(refs.map((r) => `${r.context}.${r.id}${r.output ? `.${r.output}` : ''}`).sort()).toEqual(
      ['inputs.flag', 'needs.j.o', 'secrets.S', 'steps.x.y'].sort(),
    );
  });
});

describe('docs/workflows.md', () => {
  it('has current reference tables for every reusable workflow (npx tsx src/lib/workflows/docs.ts)', () => {
    const doc = readFileSync(join(root, 'docs/workflows.md'), 'utf8');
    const files = loadShippedFiles(root);
    for (const name of ['ml-pr', 'ml-promote', 'ml-rollback', 'ml-pr-fork']) expect(doc).toContain(`<!-- workflow-docs:${name} -->`);
    expect(renderWorkflowDocs(doc, files)).toBe(doc);
  });
});
