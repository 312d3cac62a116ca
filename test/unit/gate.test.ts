import { describe, expect, it } from 'vitest';
import type { GateRule } from '../../src/lib/config.js';
import { UserError } from '../../src/lib/errors.js';
import { evaluateGate, evaluateRule, failedRulesJson, verdictLine } from '../../src/lib/gate.js';
import type { FileValues, Snapshot } from '../../src/lib/metrics/index.js';

function snap(files: Record<string, Record<string, unknown> | UserError>, label = 'head'): Snapshot {
  const metrics: FileValues[] = Object.entries(files).map(([path, v]) =>
    v instanceof UserError ? { path, error: v } : { path, data: v as FileValues['data'] },
  );
  return { label, metrics, params: [] };
}

const head = snap({ 'eval/metrics.json': { 'test.auc': 0.81, 'test.acc': NaN, 'test.name': 'x', latency_ms: 130 } });
const base = { snapshot: snap({ 'eval/metrics.json': { 'test.auc': 0.83, latency_ms: 100 } }, 'main') };

const status = (rule: GateRule, h = head, b: { snapshot?: Snapshot; reason?: string } | undefined = base) => evaluateRule(rule, h, b);

describe('absolute bounds', () => {
  it('min and max pass and fail with the value in the reason', () => {
    expect(status({ metric: 'test.auc', min: 0.8 }).status).toBe('pass');
    const r = status({ metric: 'test.auc', min: 0.85 });
    expect(r.status).toBe('fail');
    expect(r.reason).toBe('test.auc = 0.81 is below min 0.85');
    expect(status({ metric: 'latency_ms', max: 120, direction: 'lower' }).reason).toMatch(/above max 120/);
  });
});

describe('relative to the baseline', () => {
  it('max_drop absolute, direction higher', () => {
    expect(status({ metric: 'test.auc', max_drop: 0.03 }).status).toBe('pass');
    const r = status({ metric: 'test.auc', max_drop: 0.01 });
    expect(r.status).toBe('fail');
    expect(r.reason).toMatch(/got worse by 0.02 vs main \(0.83 -> 0.81\), more than max_drop 0.01/);
    expect(r.baseline).toBe(0.83);
  });

  it('an exact drop equal to the bound passes despite float error', () => {
    const h = snap({ m: { a: 0.82 } });
    const b = { snapshot: snap({ m: { a: 0.83 } }) };
    expect(evaluateRule({ metric: 'a', max_drop: 0.01 }, h, b).status).toBe('pass');
  });

  it('max_drop in percent of the baseline', () => {
    // 0.02 / 0.83 = 2.41 %
    expect(status({ metric: 'test.auc', max_drop: '3%' }).status).toBe('pass');
    expect(status({ metric: 'test.auc', max_drop: '2%' }).status).toBe('fail');
  });

  it('direction lower: a rise is a drop in quality', () => {
    expect(status({ metric: 'latency_ms', direction: 'lower', max_drop: '20%' }).status).toBe('fail');
    expect(status({ metric: 'latency_ms', direction: 'lower', max_drop: '30%' }).status).toBe('pass');
    // An improvement is never a drop.
    expect(status({ metric: 'test.auc', direction: 'lower', max_drop: 0 }).status).toBe('pass');
  });

  it('max_increase bounds the raw rise whatever the direction', () => {
    expect(status({ metric: 'latency_ms', max_increase: 10 }).reason).toMatch(/rose by 30 .* more than max_increase 10/);
    expect(status({ metric: 'latency_ms', max_increase: '30%' }).status).toBe('pass');
  });

  it('a zero baseline allows no relative change', () => {
    const h = snap({ m: { a: 0.1 } });
    expect(evaluateRule({ metric: 'a', max_increase: '5%' }, h, { snapshot: snap({ m: { a: 0 } }) }).status).toBe('fail');
    expect(evaluateRule({ metric: 'a', max_increase: '5%' }, snap({ m: { a: 0 } }), { snapshot: snap({ m: { a: 0 } }) }).status).toBe('pass');
  });
});

describe('fail closed', () => {
  it('missing metric', () => {
    const r = status({ metric: 'test.f1', min: 0 });
    expect(r.status).toBe('missing');
    expect(r.reason).toBe('test.f1 not found in eval/metrics.json');
  });

  it('NaN and non-numbers', () => {
    expect(status({ metric: 'test.acc', min: 0 })).toMatchObject({ status: 'fail', reason: 'test.acc is NaN' });
    expect(status({ metric: 'test.name', min: 0 }).reason).toBe('test.name is not a number ("x")');
  });

  it('unreadable file named by the rule, with file and line', () => {
    const h = snap({ 'eval/metrics.json': new UserError('invalid JSON: unexpected "}"', { file: 'eval/metrics.json', line: 3 }) });
    const r = evaluateRule({ metric: 'test.auc', file: 'eval/metrics.json', min: 0.5 }, h);
    expect(r.status).toBe('missing');
    expect(r.reason).toBe('eval/metrics.json:3: invalid JSON: unexpected "}"');
  });

  it('unreadable file when searching all files is named in the reason', () => {
    const h = snap({ 'a.json': { x: 1 }, 'b.json': new UserError('invalid JSON', { file: 'b.json', line: 1 }) });
    expect(evaluateRule({ metric: 'test.auc', min: 0 }, h).reason).toMatch(/not found in a.json, b.json; unreadable: b.json:1: invalid JSON/);
  });

  it('a rule file that is not a metrics file', () => {
    expect(status({ metric: 'test.auc', file: './other.json', min: 0 }).reason).toMatch(/other.json is not a metrics file/);
  });

  it('a key in several files must name its file', () => {
    const h = snap({ 'a.json': { x: 1 }, 'b.json': { x: 2 } });
    expect(evaluateRule({ metric: 'x', min: 0 }, h).reason).toMatch(/several files \(a.json, b.json\)/);
    expect(evaluateRule({ metric: 'x', file: 'b.json', max: 1 }, h).status).toBe('fail');
  });

  it('relative bounds without a baseline, or with the metric missing there, fail', () => {
    expect(status({ metric: 'test.auc', max_drop: 1 }, head, { reason: 'git revision "main" not found' }).reason).toMatch(/no baseline .*"main" not found/);
    expect(evaluateRule({ metric: 'test.auc', max_drop: 1 }, head, undefined).status).toBe('fail');
    const b = { snapshot: snap({ 'eval/metrics.json': { 'test.auc': NaN } }, 'main') };
    expect(status({ metric: 'test.auc', max_drop: 1 }, head, b).reason).toMatch(/baseline test.auc vs main is NaN/);
    const nob = { snapshot: snap({ 'eval/metrics.json': {} }, 'main') };
    expect(status({ metric: 'test.auc', max_drop: 1 }, head, nob).reason).toMatch(/no baseline value vs main/);
  });
});

describe('verdict', () => {
  it('passes only when every rule passes; outputs list the failures', () => {
    const v = evaluateGate([{ metric: 'test.auc', min: 0.8 }, { metric: 'test.acc', min: 0 }, { metric: 'nope', max: 1 }], head, base);
    expect(v.passed).toBe(false);
    expect(verdictLine(v)).toBe('2 of 3 rules failed: test.acc, nope');
    expect(failedRulesJson(v)).toEqual([
      { metric: 'test.acc', file: 'eval/metrics.json', status: 'fail', value: 'nan', reason: 'test.acc is NaN' },
      { metric: 'nope', status: 'missing', reason: 'nope not found in eval/metrics.json' },
    ]);
    expect(JSON.parse(JSON.stringify(failedRulesJson(v)))).toHaveLength(2);
    const ok = evaluateGate([{ metric: 'test.auc', min: 0.8 }], head, base);
    expect(ok.passed).toBe(true);
    expect(verdictLine(ok)).toBe('1/1 rules passed');
    expect(verdictLine(evaluateGate([], head))).toBe('no gate rules configured');
  });
});
