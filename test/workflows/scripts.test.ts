/**
 * The shell in our composites and workflows, run as the runner runs it: env values evaluated from
 * `${{ }}` (inputs with their action.yml / workflow_call defaults, github.*, steps.*), then
 * `bash --noprofile --norc -eo pipefail` on the script with GITHUB_OUTPUT as a file command.
 * - actions/flow-guard: branch resolution for pull_request and merge_group, the refusal annotation;
 *   it runs the bundled CLI (dist/cli/index.js when built, else the same command from src via tsx).
 * - ml-promote's plan step and ml-rollback's: branch -> stage -> next branch from the JSON inputs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { evaluateTemplate, parseFileCommand, repoRoot } from '../harness/runner.js';
import { makeTempDirSync, removeTempDir } from '../harness/tmp.js';

type Obj = Record<string, unknown>;
interface StepDef {
  id?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

let tmp: string;
let actionPath: string;
let binDir: string;

beforeAll(() => {
  tmp = makeTempDirSync('mlops-scripts-');
  // GITHUB_ACTION_PATH/../../dist/cli/index.js must be the CLI: the committed bundle when there is one,
  // else a stand-in that runs the same command module from src (tsx) with the CLI's error format.
  const bundle = join(repoRoot, 'dist/cli/index.js');
  actionPath = join(tmp, 'toolkit/actions/flow-guard');
  mkdirSync(actionPath, { recursive: true });
  mkdirSync(join(tmp, 'toolkit/dist/cli'), { recursive: true });
  writeFileSync(
    join(tmp, 'toolkit/dist/cli/index.js'),
    existsSync(bundle)
      ? `await import(${JSON.stringify(bundle)});\n`
      : [
          `import { register } from 'tsx/esm/api';`,
          `register();`,
          `const { checkPr } = await import(${JSON.stringify(join(repoRoot, 'src/cli/commands/check-pr.ts'))});`,
          `const [name, ...rest] = process.argv.slice(2);`,
          `if (name !== 'check-pr') { process.stderr.write('stand-in runs check-pr only\\n'); process.exit(2); }`,
          `try { process.exitCode = await checkPr.run(rest); } catch (e) { process.stderr.write('mlops: ' + (e.describe ? e.describe() : e.message) + '\\n'); process.exitCode = 1; }`,
        ].join('\n'),
  );
  writeFileSync(join(tmp, 'toolkit/dist/cli/package.json'), '{"type":"module"}\n');
  // A `gh` stand-in that records its arguments and answers the pulls lookup.
  binDir = join(tmp, 'bin');
  mkdirSync(binDir);
  writeFileSync(join(binDir, 'gh'), `#!/bin/sh\necho "$@" >> "${join(tmp, 'gh.log')}"\necho "$GH_STUB_HEAD_REF"\n`);
  chmodSync(join(binDir, 'gh'), 0o755);
});
afterAll(async () => {
  await removeTempDir(tmp);
});

function defaults(decls: unknown): Obj {
  return Object.fromEntries(Object.entries((decls ?? {}) as Record<string, { default?: unknown }>).map(([k, v]) => [k, v.default ?? '']));
}

/** Run one step's script as the runner does; returns exit code, output, and parsed GITHUB_OUTPUT. */
function runStep(step: StepDef, context: Obj, extraEnv: Record<string, string> = {}, cwd = tmp) {
  const outFile = join(tmp, `out-${Math.random().toString(36).slice(2)}`);
  writeFileSync(outFile, '');
  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: process.env.HOME ?? tmp,
    GITHUB_OUTPUT: outFile,
    GITHUB_REPOSITORY: 'acme/churn',
    GITHUB_ACTION_PATH: actionPath,
    NODE_PATH: join(repoRoot, 'node_modules'),
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(step.env ?? {})) env[k] = evaluateTemplate(String(v), context, `env.${k}`);
  const wd = step['working-directory'] ? join(cwd, evaluateTemplate(step['working-directory'], context)) : cwd;
  const script = join(tmp, 'script.sh');
  writeFileSync(script, step.run!);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: wd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs: parseFileCommand(readFileSync(outFile, 'utf8')) };
}

describe('actions/flow-guard', () => {
  const action = parse(readFileSync(join(repoRoot, 'actions/flow-guard/action.yml'), 'utf8')) as { inputs: Obj; runs: { steps: StepDef[] } };
  const [resolveStep, checkStep] = action.runs.steps as [StepDef, StepDef];
  // The stand-in gets tsx from the repository's node_modules.
  const linkNodeModules = (dir: string) => spawnSync('ln', ['-sfn', join(repoRoot, 'node_modules'), join(dir, 'node_modules')]);

  function guard(event: string, payload: Obj, repo: string, inputs: Obj = {}) {
    linkNodeModules(join(tmp, 'toolkit'));
    const context = { inputs: { ...defaults(action.inputs), 'github-token': 'ghs_test', ...inputs }, github: { event_name: event, event: payload, token: 'ghs_test' } };
    const first = runStep(resolveStep, context, { GH_STUB_HEAD_REF: 'main' }, repo);
    if (first.code !== 0) return { ...first, first };
    const second = runStep(checkStep, { ...context, steps: { branches: { outputs: first.outputs } } }, {}, repo);
    return { ...second, first };
  }

  function repoWith(files: Record<string, string>): string {
    const dir = join(tmp, `repo-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    for (const [p, t] of Object.entries(files)) writeFileSync(join(dir, p), t);
    return dir;
  }

  it('lets experiment/* into main and names the branch a wrong PR must come from', () => {
    const repo = repoWith({});
    const ok = guard('pull_request', { pull_request: { head: { ref: 'experiment/lr' }, base: { ref: 'main' } } }, repo);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.first.outputs).toEqual({ from: 'experiment/lr', into: 'main' });

    const bad = guard('pull_request', { pull_request: { head: { ref: 'experiment/lr' }, base: { ref: 'production' } } }, repo);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^::error title=flow-guard::pull requests into production \(production\) must come from staging, not from experiment\/lr$/m);
  });

  it('reads the branch flow from mlops.yml in the working directory', () => {
    const repo = repoWith({ 'mlops.yml': 'artifact: m\nstages: [dev, prod]\nbranches: { develop: dev, main: prod }\n' });
    expect(guard('pull_request', { pull_request: { head: { ref: 'develop' }, base: { ref: 'main' } } }, repo).code).toBe(0);
    const bad = guard('pull_request', { pull_request: { head: { ref: 'feature/x' }, base: { ref: 'main' } } }, repo);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('must come from develop');
  });

  it('on merge_group looks up the queued PR and checks its head branch', () => {
    const repo = repoWith({});
    const sha = 'a'.repeat(40);
    const r = guard('merge_group', { merge_group: { head_ref: `refs/heads/gh-readonly-queue/staging/pr-7-${sha}`, base_ref: 'refs/heads/staging' } }, repo);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.first.outputs).toEqual({ from: 'main', into: 'staging' });
    expect(readFileSync(join(tmp, 'gh.log'), 'utf8')).toContain('api repos/acme/churn/pulls/7 --jq .head.ref');
  });

  it('fails clearly when it cannot tell the branches', () => {
    const r = guard('push', {}, repoWith({}));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::flow-guard: cannot tell the source and target branch of event push');
  });
});

describe('plan steps of ml-promote and ml-rollback', () => {
  const load = (name: string) => parse(readFileSync(join(repoRoot, '.github/workflows', name), 'utf8')) as { on: { workflow_call: { inputs: Obj } }; jobs: Record<string, { steps: StepDef[] }> };
  const promote = load('ml-promote.yml');
  const rollback = load('ml-rollback.yml');
  const planStep = promote.jobs.plan!.steps.find((s) => s.id === 'plan')!;
  const rollbackPlan = rollback.jobs.rollback!.steps.find((s) => s.id === 'plan')!;

  const plan = (branch: string, inputs: Obj = {}) =>
    runStep(planStep, { inputs: { ...defaults(promote.on.workflow_call.inputs), ...inputs }, github: { ref_name: branch } });

  it('maps the pushed branch to its stage and the next stage branch', () => {
    expect(plan('main').outputs).toEqual({ stage: 'dev', first: 'true', 'next-branch': 'staging' });
    expect(plan('staging').outputs).toEqual({ stage: 'staging', first: 'false', 'next-branch': 'production' });
    expect(plan('production').outputs).toEqual({ stage: 'production', first: 'false', 'next-branch': '' });
    expect(plan('experiment/x').outputs).toEqual({ stage: '', first: 'false', 'next-branch': '' });
  });

  it('follows custom branches and stages, and refuses a branch mapped to an unknown stage', () => {
    const inputs = { branches: '{"develop": "dev", "main": "prod"}', stages: '["dev", "prod"]' };
    expect(plan('develop', inputs).outputs).toEqual({ stage: 'dev', first: 'true', 'next-branch': 'main' });
    const bad = plan('main', { ...inputs, stages: '["dev", "production"]' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('::error::branch main maps to prod, which is not in stages');
  });

  it('rollback finds the promotion PR branch after the rolled-back stage', () => {
    const run = (stage: string) =>
      runStep(rollbackPlan, { inputs: { ...defaults(rollback.on.workflow_call.inputs), stage } }).outputs;
    expect(run('staging')).toEqual({ 'next-branch': 'production' });
    expect(run('production')).toEqual({ 'next-branch': '' });
  });
});

describe('ml-pr-fork posting step', () => {
  const wf = parse(readFileSync(join(repoRoot, '.github/workflows/ml-pr-fork.yml'), 'utf8')) as { on: { workflow_call: { inputs: Obj } }; jobs: { post: { steps: StepDef[] } } };
  const step = wf.jobs.post.steps.find((s) => s.run)!;
  const HEAD = 'b'.repeat(40);

  /** A `gh` that logs every call (and the body file it is given) and answers like the API. */
  function ghStub(dir: string) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'gh'),
      [
        '#!/bin/bash',
        'echo "$*" >> "$GH_LOG"',
        'for a in "$@"; do case "$a" in body=@*) cat "${a#body=@}" > "$GH_LOG.body";; esac; done',
        'case "$*" in',
        '  *"--paginate"*) [ -n "$GH_EXISTING_ID" ] && echo "$GH_EXISTING_ID"; true;;',
        '  *"/pulls/"*) echo "$GH_PR_HEAD";;',
        '  *"/statuses/"*) echo ok;;',
        '  *) echo "https://github.com/acme/churn/pull/7#issuecomment-1";;',
        'esac',
      ].join('\n') + '\n',
    );
    chmodSync(join(dir, 'gh'), 0o755);
  }

  function post(verdict: Obj, opts: { prHead?: string; existing?: string; report?: string } = {}) {
    const dir = join(tmp, `fork-${Math.random().toString(36).slice(2)}`);
    const artifact = join(dir, 'artifact');
    mkdirSync(artifact, { recursive: true });
    writeFileSync(join(artifact, 'verdict.json'), JSON.stringify(verdict));
    if (opts.report !== undefined) writeFileSync(join(artifact, 'report.md'), opts.report);
    ghStub(join(dir, 'bin'));
    const log = join(dir, 'gh.log');
    writeFileSync(log, '');
    const context = {
      inputs: defaults(wf.on.workflow_call.inputs),
      github: { token: 'ghs_test', event: { workflow_run: { head_sha: HEAD, html_url: 'https://github.com/acme/churn/actions/runs/9' } } },
      runner: { temp: join(dir, 'temp') },
    };
    mkdirSync(join(dir, 'temp'));
    const r = runStep({ ...step, env: { ...step.env, DIR: artifact } }, context, {
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      RUNNER_TEMP: join(dir, 'temp'),
      GH_LOG: log,
      GH_PR_HEAD: opts.prHead ?? HEAD,
      GH_EXISTING_ID: opts.existing ?? '',
    });
    const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
    const body = existsSync(`${log}.body`) ? readFileSync(`${log}.body`, 'utf8') : undefined;
    return { ...r, calls, body };
  }

  it('posts the report once and sets the status from the verdict', () => {
    const r = post({ pr: 7, sha: HEAD, passed: true, failedRules: '[]' }, { report: '## Metrics report\n| a | b |\n' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls[0]).toBe('api repos/acme/churn/pulls/7 --jq .head.sha');
    expect(r.calls.some((c) => c.startsWith('api repos/acme/churn/issues/7/comments -F body=@'))).toBe(true);
    expect(r.calls.at(-1)).toBe(`api repos/acme/churn/statuses/${HEAD} -f state=success -f context=metric-gate -f description=All metric gates passed (fork run) -f target_url=https://github.com/acme/churn/actions/runs/9 --jq .state`);
    expect(r.body).toMatch(/^<!-- mlops-actions:fork-report -->\n## Metrics report/);
  });

  it('updates its existing comment and reports a failed gate as failure', () => {
    const r = post({ pr: 7, sha: HEAD, passed: false, failedRules: '[{"metric":"auc"},{"metric":"loss"}]' }, { existing: '4242' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls.some((c) => c.startsWith('api -X PATCH repos/acme/churn/issues/comments/4242'))).toBe(true);
    expect(r.calls.at(-1)).toContain('-f state=failure');
    expect(r.calls.at(-1)).toContain('description=2 metric gate rule(s) failed (fork run)');
  });

  it('refuses an artifact that names another commit or a PR that moved on, writing nothing', () => {
    const forged = post({ pr: 7, sha: 'c'.repeat(40), passed: true });
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain('sha is not the head of the completed run');
    expect(forged.calls).toEqual([]);

    const moved = post({ pr: 7, sha: HEAD, passed: true }, { prHead: 'd'.repeat(40) });
    expect(moved.code).toBe(1);
    expect(moved.stdout).toContain('::error::PR #7 head is');
    expect(moved.calls).toEqual(['api repos/acme/churn/pulls/7 --jq .head.sha']);

    const notNumber = post({ pr: '7; rm -rf /', sha: HEAD, passed: true });
    expect(notNumber.code).not.toBe(0);
    expect(notNumber.calls).toEqual([]);
  });
});

describe('actions/promotion-pr', () => {
  const action = parse(readFileSync(join(repoRoot, 'actions/promotion-pr/action.yml'), 'utf8')) as { inputs: Obj; runs: { steps: StepDef[] } };
  const step = action.runs.steps[0]!;

  /** A CLI stand-in that records its argv and token and answers like `mlops promotion-pr --json`. */
  function run(inputs: Obj, answer: Obj) {
    const dir = join(tmp, `ppr-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(dir, 'actions/promotion-pr'), { recursive: true });
    mkdirSync(join(dir, 'dist/cli'), { recursive: true });
    writeFileSync(
      join(dir, 'dist/cli/index.js'),
      `require('fs').writeFileSync(${JSON.stringify(join(dir, 'argv.json'))}, JSON.stringify({ argv: process.argv.slice(2), token: process.env.GITHUB_TOKEN }));\nconsole.log(${JSON.stringify(JSON.stringify(answer))});\n`,
    );
    const context = { inputs: { ...defaults(action.inputs), 'github-token': 'ghs_test', ...inputs }, github: { token: 'ghs_test' } };
    const r = runStep(step, context, { GITHUB_ACTION_PATH: join(dir, 'actions/promotion-pr') });
    return { ...r, seen: JSON.parse(readFileSync(join(dir, 'argv.json'), 'utf8')) as { argv: string[]; token: string } };
  }

  it('runs mlops promotion-pr --into <branch> with the token and outputs the PR URL', () => {
    const r = run({ into: 'staging' }, { action: 'opened', number: 9, url: 'https://github.com/acme/churn/pull/9', from: 'main', into: 'staging' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.seen).toEqual({ argv: ['promotion-pr', '--into', 'staging', '--config', 'mlops.yml', '--json'], token: 'ghs_test' });
    expect(r.outputs).toEqual({ 'pr-url': 'https://github.com/acme/churn/pull/9' });
  });

  it('passes --dry-run and outputs an empty URL when no PR is open', () => {
    const r = run({ into: 'production', 'dry-run': 'true' }, { action: 'none', reason: 'no difference', from: 'staging', into: 'production' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.seen.argv).toContain('--dry-run');
    expect(r.outputs).toEqual({ 'pr-url': '' });
  });
});
