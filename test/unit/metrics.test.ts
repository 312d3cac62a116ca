import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/lib/errors.js';
import {
  diffValues,
  filesFromDvcYaml,
  formatChange,
  formatNumber,
  formatValue,
  parseJsonTolerant,
  parseMetricsText,
  readRevisionSnapshot,
  readWorkspaceSnapshot,
} from '../../src/lib/metrics/index.js';
import { createExampleProject, DEFAULT_METRICS } from '../fixtures/example-project.js';
import { cleanupTempDirs } from '../harness/tmp.js';

afterAll(cleanupTempDirs);

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('tolerant JSON (what Python json.dump writes)', () => {
  it('reads NaN, Infinity and -Infinity', () => {
    const v = parseJsonTolerant('{"a": NaN, "b": [Infinity, -Infinity, 1.5e3], "c": {"d": null, "e": "x\\"y"}}') as Record<string, unknown>;
    expect(Number.isNaN(v.a as number)).toBe(true);
    expect(v.b).toEqual([Infinity, -Infinity, 1500]);
    expect(v.c).toEqual({ d: null, e: 'x"y' });
  });

  it('does not evaluate anything', () => {
    expect(() => parseJsonTolerant('{"a": process.exit(1)}', 'm.json')).toThrow(UserError);
  });

  it('reports the line and column of a syntax error', () => {
    const e = thrown(() => parseJsonTolerant('{\n  "a": 1,\n  "b": NaN,\n  "c" 2\n}', 'eval/metrics.json'));
    expect(e.file).toBe('eval/metrics.json');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/expected ":"/);
  });

  it('rejects trailing garbage and unterminated strings', () => {
    expect(thrown(() => parseJsonTolerant('{"a": NaN} x')).message).toMatch(/after the JSON value/);
    expect(thrown(() => parseJsonTolerant('{"a": NaN, "b": "open\n}')).line).toBe(1);
  });

  it('keeps the last of duplicate keys, like Python', () => {
    expect(parseJsonTolerant('{"a": 1, "a": NaN}')).toEqual({ a: NaN });
  });
});

describe('metrics files', () => {
  it('flattens nested keys with dots and lists by index', () => {
    expect(parseMetricsText('{"test": {"roc_auc": 0.9, "per_class": [0.1, {"f1": 0.2}]}, "ok": true}', 'm.json')).toEqual({
      'test.roc_auc': 0.9,
      'test.per_class.0': 0.1,
      'test.per_class.1.f1': 0.2,
      ok: true,
    });
  });

  it('reads YAML and TOML', () => {
    expect(parseMetricsText('test:\n  acc: .NaN\n  loss: 0.25\n', 'm.yaml')).toEqual({ 'test.acc': NaN, 'test.loss': 0.25 });
    expect(parseMetricsText('[test]\nacc = 0.5\nn = 3\n', 'm.toml')).toEqual({ 'test.acc': 0.5, 'test.n': 3 });
  });

  it('reads unknown extensions as YAML (DVC default loader)', () => {
    expect(parseMetricsText('acc: 0.5\n', 'metrics.txt')).toEqual({ acc: 0.5 });
  });

  it('malformed YAML and TOML name file and line', () => {
    const y = thrown(() => parseMetricsText('a: 1\nb: [1, 2\nc: 3\n', 'eval/m.yaml'));
    expect(y.file).toBe('eval/m.yaml');
    expect(y.line).toBeGreaterThanOrEqual(2);
    const t = thrown(() => parseMetricsText('a = 1\nb = = 2\n', 'm.toml'));
    expect(t).toMatchObject({ file: 'm.toml', line: 2 });
  });
});

describe('number formatting (Python f"{x:.5g}", as dvc metrics diff prints)', () => {
  // Expected strings produced by python3 on this machine.
  const cases: [number, string][] = [
    [0.123456789, '0.12346'],
    [1.2345678e-5, '1.2346e-05'],
    [0.0001234567, '0.00012346'],
    [9.99996, '10'],
    [-0.020000000000000018, '-0.02'],
    [0.9460213440787918, '0.94602'],
    [123456.7, '1.2346e+05'],
    [12345.67, '12346'],
    [1e21, '1e+21'],
    [0.1, '0.1'],
    [2.5e-10, '2.5e-10'],
    [0.00051787, '0.00051787'],
  ];
  it.each(cases)('%s -> %s', (n, s) => expect(formatNumber(n)).toBe(s));

  it('integers stay integers; NaN, inf and missing values', () => {
    expect(formatNumber(1234567)).toBe('1234567');
    expect(formatValue(NaN)).toBe('nan');
    expect(formatValue(-Infinity)).toBe('-inf');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue(true)).toBe('true');
    expect(formatValue('text')).toBe('text');
  });
});

describe('dvc.yaml sources', () => {
  it('top-level metrics, stage metrics outs (with wdir) and params files', () => {
    const text = `stages:
  train:
    cmd: x
    wdir: sub
    params:
    - train.lr
    - conf/extra.yaml:
      - a
    metrics:
    - out/scores.json:
        cache: false
metrics:
- eval/metrics.json
- eval/other.yaml
params:
- custom.toml
`;
    expect(filesFromDvcYaml(text)).toEqual({
      metrics: ['eval/metrics.json', 'eval/other.yaml', 'sub/out/scores.json'],
      params: ['custom.toml', 'sub/params.yaml', 'sub/conf/extra.yaml'],
    });
  });

  it('a malformed dvc.yaml is a UserError with its line', () => {
    const e = thrown(() => filesFromDvcYaml('stages:\n  a:\n    cmd: [\n', 'dvc.yaml'));
    expect(e.file).toBe('dvc.yaml');
    expect(e.line).toBeGreaterThan(0);
  });
});

describe('snapshots and diff on the example project', () => {
  it('reads the workspace and a baseline revision without checking it out', async () => {
    const p = await createExampleProject();
    const before = readFileSync(join(p.dir, 'eval/metrics.json'), 'utf8');
    const head = await readWorkspaceSnapshot(p.dir);
    const base = await readRevisionSnapshot(p.dir, p.baseBranch);
    expect(head.metrics.map((f) => f.path)).toEqual(['eval/metrics.json']);
    expect(head.params.map((f) => f.path)).toEqual(['params.yaml']);
    expect(base.snapshot?.sha).toBe(p.baseSha);
    expect(base.snapshot?.metrics[0]?.data?.['roc_auc.test']).toBe(DEFAULT_METRICS.roc_auc.test);
    // Nothing in the workspace moved: same branch, same file.
    expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: p.dir, encoding: 'utf8' }).trim()).toBe(p.headSha);
    expect(readFileSync(join(p.dir, 'eval/metrics.json'), 'utf8')).toBe(before);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: p.dir, encoding: 'utf8' })).toBe('');

    const rows = diffValues(base.snapshot!.metrics, head.metrics);
    const auc = rows.find((r) => r.key === 'roc_auc.test')!;
    expect(formatValue(auc.base)).toBe('0.94602');
    expect(formatValue(auc.head)).toBe('0.9512');
    expect(formatChange(auc)).toBe(formatNumber(0.9512 - DEFAULT_METRICS.roc_auc.test));
    const params = diffValues(base.snapshot!.params, head.params, { all: false });
    expect(params).toEqual([{ path: 'params.yaml', key: 'train.n_est', base: 50, head: 100, change: 50 }]);
  });

  it('an unknown revision is a reason, not a crash; a bad file is kept as an error', async () => {
    const p = await createExampleProject({ head: { metricsText: '{"roc_auc": {"test": 0.9,}}' } });
    const missing = await readRevisionSnapshot(p.dir, 'no-such-branch');
    expect(missing.snapshot).toBeUndefined();
    expect(missing.reason).toMatch(/no-such-branch/);
    const head = await readWorkspaceSnapshot(p.dir);
    expect(head.metrics[0]?.error).toMatchObject({ file: 'eval/metrics.json', line: 1 });
  });

  it('missing keys on either side show as —; new files and directories of metrics', async () => {
    const p = await createExampleProject({ head: { files: { 'eval/extra/latency.json': '{"p95_ms": 120.5}' } } });
    writeFileSync(join(p.dir, 'dvc.yaml'), readFileSync(join(p.dir, 'dvc.yaml'), 'utf8').replace('metrics:\n- eval/metrics.json', 'metrics:\n- eval/metrics.json\n- eval/extra'));
    mkdirSync(join(p.dir, 'eval/extra'), { recursive: true });
    const head = await readWorkspaceSnapshot(p.dir);
    const base = await readRevisionSnapshot(p.dir, p.baseBranch);
    expect(head.metrics.map((f) => f.path)).toEqual(['eval/metrics.json', 'eval/extra/latency.json']);
    const row = diffValues(base.snapshot!.metrics, head.metrics).find((r) => r.key === 'p95_ms')!;
    expect([formatValue(row.base), formatValue(row.head), formatChange(row)]).toEqual(['—', '120.5', '—']);
  });

  it('reads every dvc.yaml of the project, paths relative to each one', async () => {
    const nested = 'metrics:\n- eval/scores.yaml\nstages:\n  fit:\n    cmd: x\n    params:\n    - lr\n';
    const p = await createExampleProject({
      base: { files: { 'models/churn/dvc.yaml': nested, 'models/churn/eval/scores.yaml': 'f1: 0.5\n', 'models/churn/params.yaml': 'lr: 0.1\n' } },
      head: { files: { 'models/churn/eval/scores.yaml': 'f1: 0.6\n', 'models/churn/params.yaml': 'lr: 0.2\n' } },
    });
    const head = await readWorkspaceSnapshot(p.dir);
    const base = await readRevisionSnapshot(p.dir, p.baseBranch);
    expect(head.metrics.map((f) => f.path)).toEqual(['eval/metrics.json', 'models/churn/eval/scores.yaml']);
    expect(base.snapshot!.metrics.map((f) => f.path)).toEqual(['eval/metrics.json', 'models/churn/eval/scores.yaml']);
    expect(head.params.map((f) => f.path)).toEqual(['params.yaml', 'models/churn/params.yaml']);
    const row = diffValues(base.snapshot!.metrics, head.metrics).find((r) => r.key === 'f1')!;
    expect(row).toMatchObject({ path: 'models/churn/eval/scores.yaml', base: 0.5, head: 0.6 });
  });

  it('fetches a baseline branch that only exists on origin (shallow CI checkout)', async () => {
    const p = await createExampleProject({ withOrigin: true });
    execFileSync('git', ['branch', '-D', p.baseBranch], { cwd: p.dir });
    execFileSync('git', ['update-ref', '-d', `refs/remotes/origin/${p.baseBranch}`], { cwd: p.dir });
    expect(() => execFileSync('git', ['rev-parse', '--verify', '--quiet', `origin/${p.baseBranch}`], { cwd: p.dir, stdio: 'pipe' })).toThrow();
    const base = await readRevisionSnapshot(p.dir, p.baseBranch);
    expect(base.snapshot?.sha).toBe(p.baseSha);
  });
});
