import { describe, expect, it } from 'vitest';
import { parseConfig, parseGateRules, stageOfBranch } from '../../src/lib/config.js';
import { UserError } from '../../src/lib/errors.js';

const good = `# churn model
artifact: churn-model
gates:
  - metric: test.roc_auc
    min: 0.8
    max_drop: 1%
  - metric: latency_ms
    direction: lower
    max: 120
environments:
  dev: { repo: acme/deploy, path: overlays/dev/kustomization.yaml }
  production: { path: overlays/prod/kustomization.yaml, mode: pr }
`;

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('config', () => {
  it('reads a valid file and fills defaults', () => {
    const cfg = parseConfig(good);
    expect(cfg.stages).toEqual(['dev', 'staging', 'production']);
    expect(cfg.branches).toEqual({ main: 'dev', staging: 'staging', production: 'production' });
    expect(cfg.gates[0]).toEqual({ metric: 'test.roc_auc', min: 0.8, max_drop: '1%' });
    expect(stageOfBranch(cfg, 'refs/heads/staging')).toBe('staging');
    expect(stageOfBranch(cfg, 'experiment/x')).toBeUndefined();
  });

  it('names file, line and field of an unknown key', () => {
    const e = errorOf(() => parseConfig(good.replace('    max: 120', '    maxx: 120'), 'mlops.yml'));
    expect(e.file).toBe('mlops.yml');
    expect(e.line).toBe(9);
    expect(e.message).toContain('gates[1]: unknown key "maxx"');
  });

  it('reports a wrong type at its line', () => {
    const e = errorOf(() => parseConfig(good.replace('min: 0.8', 'min: high')));
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/gates\[0\]\.min: must be number/);
  });

  it('reports YAML syntax errors with a line', () => {
    const e = errorOf(() => parseConfig('artifact: a\ngates:\n  - metric: [unclosed\n'));
    expect(e.message).toMatch(/invalid YAML/);
    expect(e.line).toBeGreaterThan(0);
  });

  it('rejects a branch mapped to an unknown stage and an environment that is not a stage', () => {
    expect(errorOf(() => parseConfig('artifact: a\nbranches: { main: qa }\n')).message).toMatch(/stage "qa" is not in stages/);
    expect(errorOf(() => parseConfig('artifact: a\nenvironments: { qa: { path: x.yaml } }\n')).line).toBe(2);
  });

  it('rejects a gate with no bound and an invalid artifact name', () => {
    expect(errorOf(() => parseConfig('artifact: a\ngates: [{metric: acc}]\n')).message).toMatch(/has no bound/);
    expect(errorOf(() => parseConfig('artifact: -bad\n')).field).toBe('artifact');
    expect(parseConfig('artifact: models:churn\n').artifact).toBe('models:churn');
  });

  it('parses inline rules with the same schema', () => {
    expect(parseGateRules('- {metric: acc, min: 0.9}')).toEqual([{ metric: 'acc', min: 0.9 }]);
    expect(errorOf(() => parseGateRules('- {metric: acc, minn: 0.9}')).message).toMatch(/rules\[0\]: unknown key "minn"/);
  });
});
