import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateTemplate, parseFileCommand, parseWorkflowCommand, runActionDir, type RunOptions } from './runner.js';
import { cleanupTempDirs } from './tmp.js';

const FIXTURE = 'test/harness/fixtures/echo-action';
const run = (opts: RunOptions = {}) => runActionDir(FIXTURE, { ...opts, env: { MLOPS_GITHUB_PACING: 'false', ...opts.env } });

afterAll(cleanupTempDirs);

describe('runner harness', () => {
  it('applies defaults from action.yml and the runner environment', async () => {
    process.env.HARNESS_SHOULD_NOT_LEAK = 'inherited';
    const r = await run({
      repository: 'octo/demo',
      sha: 'a'.repeat(40),
      event: { name: 'pull_request', payload: { pull_request: { number: 12, head: { ref: 'exp/x', sha: 'b'.repeat(40) }, base: { ref: 'main' } } } },
      env: { EXTRA: 'given' },
    });
    delete process.env.HARNESS_SHOULD_NOT_LEAK;
    expect(r.annotations).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      'dry-run': 'false',
      repository: 'octo/demo',
      sha: 'a'.repeat(40),
      'server-url': 'https://github.com',
      'pr-number': '12',
      fallback: 'b'.repeat(40),
      'report-path': 'reports/out.md',
      'token-length': String('test-token'.length),
      cwd: r.workspace,
      inherited: '',
      'extra-env': 'given',
    });
    expect(r.env).toEqual({ FROM_ACTION: 'yes' });
    expect(r.state).toEqual({ phase: 'main' });
    expect(r.path).toEqual(['/opt/fixture/bin']);
    expect(r.debug).toEqual(['debug line']);
    expect(r.groups).toEqual(['a group']);
    expect(r.masked).toContain('test-token');
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('falls back through || and leaves an absent event property empty', async () => {
    const r = await run({ sha: 'c'.repeat(40) });
    expect(r.outputs['pr-number']).toBe('');
    expect(r.outputs.fallback).toBe('c'.repeat(40));
  });

  it('passes booleans as strings the action parses strictly', async () => {
    expect((await run({ inputs: { 'dry-run': true } })).outputs['dry-run']).toBe('true');
    const bad = await run({ inputs: { 'dry-run': 'yes' } });
    expect(bad.code).toBe(1);
    expect(bad.annotations).toHaveLength(1);
    expect(bad.annotations[0]!.level).toBe('error');
    expect(bad.annotations[0]!.message).toMatch(/dry-run/);
  });

  it('reads multi-line outputs and the job summary', async () => {
    const r = await run({ inputs: { mode: 'multiline' } });
    expect(r.code).toBe(0);
    expect(r.outputs.multi).toBe('line one\nline two\n\nline four');
    expect(r.summary).toContain('<h1>Report</h1>');
    expect(r.summary).toContain('<th>k</th>');
  });

  it('turns workflow commands into annotations, unescaping data and properties', async () => {
    const r = await run({ inputs: { mode: 'error-annotation' } });
    expect(r.code).toBe(1);
    expect(r.annotations).toEqual([
      { level: 'error', message: 'bad threshold\nsecond line', file: 'mlops.yml', line: 3, col: 5, title: 'Gate' },
      { level: 'warning', message: 'careful' },
      { level: 'notice', message: 'fyi' },
    ]);
    const failed = await run({ inputs: { mode: 'fail' } });
    expect(failed.code).toBe(1);
    expect(failed.annotations).toEqual([{ level: 'error', message: 'it failed: 100% broken, a:b,c' }]);
  });

  it('reports a crash as a non-zero exit', async () => {
    const r = await run({ inputs: { mode: 'crash' } });
    expect(r.code).toBe(1);
    expect(r.annotations[0]!.message).toBe('boom');
  });

  it('detects a secret printed before it was masked, and accepts one masked first', async () => {
    const secret = 's3cr3t-value-123';
    const leaky = await run({ inputs: { mode: 'leak', secret } });
    expect(leaky.leaked(secret)).toBe(true);
    expect(leaky.log).toContain(secret);
    const safe = await run({ inputs: { mode: 'mask-then-print', secret } });
    expect(safe.masked).toContain(secret);
    expect(safe.log).toContain('the secret is ***');
    expect(safe.log).not.toContain(secret);
    // The raw stdout holds it (the runner masks on display), but the step registered it first.
    expect(safe.leaked('test-token')).toBe(false);
  });

  it('adds the runner error for a summary over 1 MiB, honours stop-commands, and passes debug', async () => {
    const big = await run({ inputs: { mode: 'big-summary' } });
    expect(big.annotations.map((a) => a.message)).toEqual([expect.stringMatching(/GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k/)]);
    const stopped = await run({ inputs: { mode: 'stop-commands' } });
    expect(stopped.annotations).toEqual([{ level: 'warning', message: 'after resume' }]);
    expect(stopped.log).toContain('::error::not an annotation while stopped');
    expect((await run({ inputs: { mode: 'debug' }, debug: true })).outputs['is-debug']).toBe('true');
    expect((await run({ inputs: { mode: 'debug' } })).outputs['is-debug']).toBe('false');
  });

  it('throws on a heredoc without its closing delimiter', async () => {
    await expect(run({ inputs: { mode: 'bad-output' } })).rejects.toThrow(/matching delimiter not found 'EOF'/);
  });

  it('throws on an input action.yml does not declare', async () => {
    await expect(run({ inputs: { nope: 'x' } })).rejects.toThrow(/"nope" is not declared/);
  });

  it('kills the action and throws after timeoutMs', async () => {
    await expect(run({ inputs: { mode: 'sleep' }, timeoutMs: 500 })).rejects.toThrow(/timed out after 500 ms/);
  });

  it('uses the given workspace as cwd', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'ws-'));
    try {
      const r = await run({ workspace: ws });
      expect(r.outputs.cwd).toBe(ws);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('file command parser', () => {
  it('parses NAME=VALUE and heredocs like the runner', () => {
    expect(parseFileCommand('a=1\nb=x=y\n\nc<<ghadelimiter_1\nl1\r\nl2\nghadelimiter_1\nd<<E\nE\n')).toEqual({ a: '1', b: 'x=y', c: 'l1\nl2', d: '' });
  });
  it('rejects bad lines', () => {
    expect(() => parseFileCommand('novalue\n')).toThrow(/invalid format/);
    expect(() => parseFileCommand('=v\n')).toThrow(/name must not be empty/);
    expect(() => parseFileCommand('a<<\n')).toThrow(/delimiter must not be empty/);
    expect(() => parseFileCommand('a<<X\nbody\n')).toThrow(/matching delimiter/);
  });
});

describe('workflow command parser', () => {
  it('unescapes properties and data', () => {
    expect(parseWorkflowCommand('::error file=a%2Cb%3Ac.yml,line=3::50%25 done%0Anext')).toEqual({
      command: 'error',
      properties: { file: 'a,b:c.yml', line: '3' },
      message: '50% done\nnext',
    });
    expect(parseWorkflowCommand('  ::add-mask::x')).toEqual({ command: 'add-mask', properties: {}, message: 'x' });
    expect(parseWorkflowCommand('plain text')).toBeUndefined();
  });
});

describe('default expressions', () => {
  const ctx = { github: { token: 't', event: { pull_request: { number: 5 } }, sha: 's' }, runner: { temp: '/tmp/r' } };
  it('evaluates paths, literals and ||', () => {
    expect(evaluateTemplate('${{ github.token }}', ctx)).toBe('t');
    expect(evaluateTemplate('pr-${{ github.event.pull_request.number }}', ctx)).toBe('pr-5');
    expect(evaluateTemplate("${{ github.event.issue.number || 'none' }}", ctx)).toBe('none');
    expect(evaluateTemplate('${{ runner.temp }}/x', ctx)).toBe('/tmp/r/x');
  });
  it('throws on what it cannot evaluate', () => {
    expect(() => evaluateTemplate('${{ secrets.X }}', ctx)).toThrow(/cannot evaluate/);
    expect(() => evaluateTemplate('${{ github.shaa }}', ctx)).toThrow(/does not know github.shaa/);
    expect(() => evaluateTemplate('${{ toJSON(github) }}', ctx)).toThrow(/cannot evaluate/);
  });
});
