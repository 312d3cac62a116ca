/**
 * `mlops init`: copies the starter files into a repository, never clobbers a changed file (names it,
 * writes nothing), and the files it writes are valid: the workflows pass the static checks once
 * pinned, mlops.yml passes the config schema, every template has its .properties.json.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/lib/config.js';
import { isUserError } from '../../src/lib/errors.js';
import { editImage } from '../../src/lib/gitops/edit.js';
import { initRepository, renderTemplate, templateFiles } from '../../src/lib/setup/init.js';
import { loadShippedFiles } from '../../src/lib/workflows/files.js';
import { formatFinding, verifyStatic } from '../../src/lib/workflows/index.js';
import { init } from '../../src/cli/commands/init.js';
import { commands } from '../../src/cli/commands/index.js';
import { repoRoot } from '../harness/runner.js';
import { makeTempDirSync, removeTempDir } from '../harness/tmp.js';

const templatesDir = join(repoRoot, 'action-templates');
const SHA = '0123456789abcdef0123456789abcdef01234567';
let dir: string;

beforeEach(() => {
  dir = makeTempDirSync('mlops-init-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const run = (opts: Partial<Parameters<typeof initRepository>[0]> = {}) => initRepository({ dir, templatesDir, ...opts });
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

describe('mlops init', () => {
  it('writes the caller workflows, mlops.yml and the GitOps overlays, and not the .properties.json', () => {
    const { files } = run();
    const targets = files.map((f) => f.target);
    expect(files.every((f) => f.action === 'create')).toBe(true);
    for (const t of [
      '.github/workflows/mlops-pr.yml',
      '.github/workflows/mlops-pr-fork.yml',
      '.github/workflows/mlops-promote.yml',
      '.github/workflows/mlops-rollback.yml',
      'mlops.yml',
      'deploy/base/kustomization.yaml',
      'deploy/overlays/dev/kustomization.yaml',
      'deploy/overlays/production/kustomization.yaml',
    ]) {
      expect(targets).toContain(t);
      expect(readFileSync(join(dir, t), 'utf8')).toBe(readFileSync(join(templatesDir, t.replace('.github/workflows/', '')), 'utf8'));
    }
    expect(targets.some((t) => t.endsWith('.properties.json'))).toBe(false);
  });

  it('leaves identical files alone on a second run', () => {
    run();
    expect(run().files.every((f) => f.action === 'unchanged')).toBe(true);
  });

  it('refuses to clobber a changed file, names it and writes nothing; --force overwrites', () => {
    run();
    writeFileSync(join(dir, 'mlops.yml'), 'artifact: mine\n');
    rmSync(join(dir, '.github/workflows/mlops-rollback.yml'));
    const e = errorOf(() => run());
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toContain('mlops.yml');
    expect((e as Error).message).toContain('--force');
    // Nothing written: the removed workflow did not come back, the changed file is untouched.
    expect(existsSync(join(dir, '.github/workflows/mlops-rollback.yml'))).toBe(false);
    expect(readFileSync(join(dir, 'mlops.yml'), 'utf8')).toBe('artifact: mine\n');

    const forced = run({ force: true });
    expect(forced.files.find((f) => f.target === 'mlops.yml')?.action).toBe('overwrite');
    expect(forced.files.find((f) => f.target === '.github/workflows/mlops-rollback.yml')?.action).toBe('create');
    expect(readFileSync(join(dir, 'mlops.yml'), 'utf8')).toBe(readFileSync(join(templatesDir, 'mlops.yml'), 'utf8'));
  });

  it('re-pins only the workflows with --only workflows --ref, keeping an edited mlops.yml', () => {
    run();
    writeFileSync(join(dir, 'mlops.yml'), 'artifact: mine\n');
    const { files } = run({ only: ['workflows'], ref: SHA, toolkit: 'acme/mlops-actions', force: true });
    expect(files.every((f) => f.target.startsWith('.github/workflows/'))).toBe(true);
    expect(readFileSync(join(dir, 'mlops.yml'), 'utf8')).toBe('artifact: mine\n');
    const pr = readFileSync(join(dir, '.github/workflows/mlops-pr.yml'), 'utf8');
    expect(pr).toContain(`uses: acme/mlops-actions/.github/workflows/ml-pr.yml@${SHA} # pinned by mlops init`);
  });

  it('rejects a malformed --toolkit or --ref', () => {
    expect((errorOf(() => run({ toolkit: 'not a repo' })) as Error).message).toContain('--toolkit');
    expect((errorOf(() => run({ ref: 'a b' })) as Error).message).toContain('--ref');
    expect((errorOf(() => run({ only: ['nope' as 'config'] })) as Error).message).toContain('--only');
  });

  it('runs as a CLI command', async () => {
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      expect(await init.run(['--dir', dir, '--templates', templatesDir])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toMatch(/created\s+\.github\/workflows\/mlops-pr\.yml/);
    expect(out.join('')).toContain('--ref');
    expect(existsSync(join(dir, 'mlops.yml'))).toBe(true);
    expect(commands.map((c) => c.name)).toContain('init');
  });
});

describe('action-templates', () => {
  it('mlops.yml passes the config schema', () => {
    const cfg = parseConfig(readFileSync(join(templatesDir, 'mlops.yml'), 'utf8'));
    expect(cfg.stages).toEqual(['dev', 'staging', 'production']);
    for (const env of Object.values(cfg.environments)) expect(existsSync(join(templatesDir, env.path))).toBe(true);
  });

  it('the overlay of every environment is what bump-env-tag edits: only the image entry changes', () => {
    const cfg = parseConfig(readFileSync(join(templatesDir, 'mlops.yml'), 'utf8'));
    for (const [env, e] of Object.entries(cfg.environments)) {
      const text = readFileSync(join(templatesDir, e.path), 'utf8');
      const digest = `sha256:${'e'.repeat(64)}`;
      const r = editImage('kustomize', text, e.path, { name: cfg.image!.name, tag: 'v0.0.1', digest });
      expect(r.changed, env).toBe(true);
      const before = text.split('\n');
      const after = r.content.split('\n');
      expect(after.filter((l) => !before.includes(l)).join('\n'), env).toMatch(/^\s+newTag: v0\.0\.1\n\s+digest: sha256:e{64}$/);
      expect(before.filter((l) => !after.includes(l)), env).toEqual(['    newTag: latest']);
    }
  });

  it('every template has a .properties.json like GitHub starter workflows', () => {
    const names = readdirSync(templatesDir);
    const described = new Set(names.filter((n) => n.endsWith('.properties.json')).map((n) => n.replace(/\.properties\.json$/, '')));
    const templates = templateFiles(templatesDir).map((t) => t.source.split('/')[0]!.replace(/\.ya?ml$/, ''));
    for (const t of new Set(templates)) expect(described, t).toContain(t);
    for (const n of described) {
      const p = JSON.parse(readFileSync(join(templatesDir, `${n}.properties.json`), 'utf8')) as Record<string, unknown>;
      expect(typeof p.name).toBe('string');
      expect(typeof p.description).toBe('string');
      expect(typeof p.iconName).toBe('string');
      expect(Array.isArray(p.categories) && p.categories.length > 0).toBe(true);
    }
  });

  it('pinned by mlops init, the caller workflows pass the contract and policy checks', () => {
    const files = loadShippedFiles(repoRoot);
    for (const [path, text] of files) {
      if (path.startsWith('action-templates/')) files.set(path, renderTemplate(text, 'acme/mlops-actions', SHA));
    }
    const findings = verifyStatic(files).filter((f) => f.file.startsWith('action-templates/'));
    expect(findings.map(formatFinding)).toEqual([]);
  });
});
