/**
 * Run a bundled JavaScript action the way the GitHub runner does (see spec/actions-runtime.md):
 * inputs from action.yml with their defaults evaluated, the runner's environment (and nothing else from
 * the test process), file commands parsed as the runner parses them, workflow commands on stdout/stderr
 * turned into annotations, and masking tracked so a test can prove a secret never reached the log.
 *
 *   const r = await runAction('metric-gate', { inputs: { ... }, env: { GITHUB_API_URL: fake.url } });
 *   expect(r.code).toBe(0); expect(r.outputs.passed).toBe('true');
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { makeTempDir, removeTempDir } from './tmp.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunOptions {
  /** `with:` values; every key must be declared in action.yml. */
  inputs?: Record<string, string | number | boolean>;
  /** Extra environment (e.g. MLOPS_GITHUB_PACING: 'false', the cache fake's env); wins over the defaults. */
  env?: Record<string, string>;
  /** The triggering event; default `{ name: 'push', payload: {} }`. */
  event?: { name: string; payload?: Record<string, unknown> };
  /** Step cwd and GITHUB_WORKSPACE; default a fresh temp dir. */
  workspace?: string;
  /** owner/name; default the payload's repository.full_name, else `acme/ml-project`. */
  repository?: string;
  sha?: string;
  ref?: string;
  /** GitHub API base (GITHUB_API_URL), e.g. the fake's url. Default https://api.github.com. */
  apiUrl?: string;
  serverUrl?: string;
  /** Value of `${{ github.token }}`; default `test-token` (the GitHub fake's default token). */
  token?: string;
  actor?: string;
  /** Kill the action and throw after this long; default 60 s. */
  timeoutMs?: number;
  runnerTemp?: string;
  /** Runner OS/arch reported to the action; default Linux/X64. */
  runnerOs?: 'Linux' | 'macOS' | 'Windows';
  runnerArch?: 'X64' | 'ARM64';
  /** Step debug logging (RUNNER_DEBUG=1), as when a run is re-run with debug logging. */
  debug?: boolean;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
  title?: string;
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
  stream: 'stdout' | 'stderr';
}

export interface RunResult {
  code: number;
  outputs: Record<string, string>;
  /** Variables written to GITHUB_ENV. */
  env: Record<string, string>;
  state: Record<string, string>;
  /** Entries written to GITHUB_PATH, in file order. */
  path: string[];
  summary: string;
  /** Raw child output, exactly as the action wrote it. */
  stdout: string;
  stderr: string;
  /** What the runner would show in the log: commands consumed, masked values replaced by ***. */
  log: string;
  /** error/warning/notice annotations (from `::error ...::` etc. and the runner's own file-command errors). */
  annotations: Annotation[];
  /** `::debug::` messages. */
  debug: string[];
  /** `::group::` titles, in order. */
  groups: string[];
  /** Values registered with `::add-mask::` (plus the token, which the runner masks itself). */
  masked: string[];
  /** Every workflow command seen, including ones without a dedicated field above. */
  commands: WorkflowCommand[];
  /** True when `secret` appears in stdout/stderr anywhere except an `::add-mask::` line. */
  leaked(secret: string): boolean;
  durationMs: number;
  workspace: string;
  runnerTemp: string;
}

interface ActionManifest {
  name?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs?: Record<string, unknown>;
  runs: { using: string; main?: string; pre?: string; post?: string };
}

const DEFAULT_SHA = '6dcb09b5b57875f334f61aebed695e2e4193db5e';

/** Run `actions/<name>` (its runs.main, i.e. dist/<name>/index.js). */
export function runAction(name: string, opts: RunOptions = {}): Promise<RunResult> {
  return runActionDir(join(repoRoot, 'actions', name), opts);
}

/** Run the node action whose action.yml is in `dir` (absolute, or relative to the repo root). */
export async function runActionDir(dir: string, opts: RunOptions = {}): Promise<RunResult> {
  const actionDir = isAbsolute(dir) ? dir : join(repoRoot, dir);
  const manifest = readManifest(actionDir);
  if (!/^node\d+$/.test(manifest.runs?.using ?? '') || !manifest.runs.main) {
    throw new Error(`${actionDir}/action.yml: runs.using must be nodeNN with a main (got ${manifest.runs?.using}); composite actions are not run by this harness`);
  }
  const main = resolve(actionDir, manifest.runs.main);
  if (!existsSync(main)) throw new Error(`${main} does not exist: build it first (node scripts/build.mjs <name>)`);

  const eventName = opts.event?.name ?? 'push';
  const payload: Record<string, unknown> = structuredClone(opts.event?.payload ?? {});
  const repository = opts.repository ?? (payload.repository as { full_name?: string } | undefined)?.full_name ?? 'acme/ml-project';
  const [owner, repoName] = repository.split('/');
  if (!owner || !repoName) throw new Error(`repository must be owner/name, got ${repository}`);
  payload.repository ??= { full_name: repository, name: repoName, owner: { login: owner }, default_branch: 'main' };
  const pr = payload.pull_request as { number?: number; head?: { ref?: string; sha?: string }; base?: { ref?: string } } | undefined;
  const isPr = eventName === 'pull_request' || eventName === 'pull_request_target';
  const ref = opts.ref ?? (typeof payload.ref === 'string' ? payload.ref : isPr && pr?.number ? `refs/pull/${pr.number}/merge` : 'refs/heads/main');
  const sha = opts.sha ?? (typeof payload.after === 'string' ? payload.after : DEFAULT_SHA);
  const serverUrl = opts.serverUrl ?? 'https://github.com';
  const apiUrl = opts.apiUrl ?? 'https://api.github.com';
  const graphqlUrl = apiUrl === 'https://api.github.com' ? 'https://api.github.com/graphql' : `${apiUrl.replace(/\/$/, '')}/graphql`;
  const token = opts.token ?? 'test-token';
  const actor = opts.actor ?? 'octocat';

  const workspace = opts.workspace ?? (await makeTempDir('mlops-ws-'));
  // File commands, event payload, tool cache and (by default) RUNNER_TEMP: removed when the run ends.
  const runDir = await makeTempDir('mlops-run-');
  try {
    return await execute();
  } finally {
    await removeTempDir(runDir);
  }

  async function execute(): Promise<RunResult> {
    const runnerTemp = opts.runnerTemp ?? join(runDir, 'temp');
    const toolCache = join(runDir, 'tool-cache');
    const cmdDir = join(runDir, 'file-commands');
    await Promise.all([mkdir(runnerTemp, { recursive: true }), mkdir(toolCache, { recursive: true }), mkdir(cmdDir, { recursive: true })]);
    const id = randomUUID();
    const files = {
      GITHUB_OUTPUT: join(cmdDir, `set_output_${id}`),
      GITHUB_ENV: join(cmdDir, `set_env_${id}`),
      GITHUB_STATE: join(cmdDir, `save_state_${id}`),
      GITHUB_PATH: join(cmdDir, `add_path_${id}`),
      GITHUB_STEP_SUMMARY: join(cmdDir, `step_summary_${id}`),
    };
    await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
    const eventPath = join(runDir, 'event.json');
    await writeFile(eventPath, JSON.stringify(payload, null, 2));

    const runnerEnv: Record<string, string> = {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_ID: '123456789',
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_REPOSITORY_OWNER_ID: '987654',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: sha,
      GITHUB_REF: ref,
      GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\//, ''),
      GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_HEAD_REF: isPr ? (pr?.head?.ref ?? '') : '',
      GITHUB_BASE_REF: isPr ? (pr?.base?.ref ?? '') : '',
      GITHUB_WORKSPACE: workspace,
      GITHUB_SERVER_URL: serverUrl,
      GITHUB_API_URL: apiUrl,
      GITHUB_GRAPHQL_URL: graphqlUrl,
      GITHUB_RUN_ID: '1658821493',
      GITHUB_RUN_NUMBER: '7',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'test',
      GITHUB_ACTION: '__self',
      GITHUB_ACTOR: actor,
      GITHUB_ACTOR_ID: '583231',
      GITHUB_TRIGGERING_ACTOR: actor,
      GITHUB_WORKFLOW: 'test',
      GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/test.yml@${ref}`,
      GITHUB_WORKFLOW_SHA: sha,
      GITHUB_RETENTION_DAYS: '90',
      RUNNER_OS: opts.runnerOs ?? 'Linux',
      RUNNER_ARCH: opts.runnerArch ?? 'X64',
      RUNNER_NAME: 'GitHub Actions 1',
      RUNNER_ENVIRONMENT: 'github-hosted',
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: toolCache,
      ...files,
      ...(opts.debug ? { RUNNER_DEBUG: '1' } : {}),
    };

    const context = {
      github: {
        token,
        repository,
        repository_owner: owner,
        sha,
        ref,
        ref_name: runnerEnv.GITHUB_REF_NAME,
        head_ref: runnerEnv.GITHUB_HEAD_REF,
        base_ref: runnerEnv.GITHUB_BASE_REF,
        server_url: serverUrl,
        api_url: apiUrl,
        graphql_url: graphqlUrl,
        event_name: eventName,
        event: payload,
        event_path: eventPath,
        actor,
        triggering_actor: actor,
        run_id: runnerEnv.GITHUB_RUN_ID,
        run_number: runnerEnv.GITHUB_RUN_NUMBER,
        run_attempt: runnerEnv.GITHUB_RUN_ATTEMPT,
        job: runnerEnv.GITHUB_JOB,
        workflow: runnerEnv.GITHUB_WORKFLOW,
        workspace,
        action: runnerEnv.GITHUB_ACTION,
      },
      runner: { os: runnerEnv.RUNNER_OS, arch: runnerEnv.RUNNER_ARCH, temp: runnerTemp, tool_cache: toolCache, name: runnerEnv.RUNNER_NAME },
    };

    const inputEnv = buildInputs(actionDir, manifest, opts.inputs ?? {}, context);

    const base: Record<string, string> = {};
    for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR']) {
      const v = process.env[k];
      if (v !== undefined) base[k] = v;
    }
    const env = { ...base, ...runnerEnv, ...inputEnv, ...opts.env };

    const started = performance.now();
    const child = spawn(process.execPath, [main], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const code = await new Promise<number>((res, rej) => {
      child.on('error', rej);
      child.on('close', (c, signal) => res(c ?? (signal ? 128 : 1)));
    }).finally(() => clearTimeout(timer));
    const durationMs = performance.now() - started;
    const stdout = Buffer.concat(out).toString('utf8');
    const stderr = Buffer.concat(err).toString('utf8');
    if (timedOut) {
      throw new Error(`action ${actionDir} timed out after ${timeoutMs} ms\n--- stdout (tail) ---\n${stdout.slice(-2000)}\n--- stderr (tail) ---\n${stderr.slice(-2000)}`);
    }

    const annotations: Annotation[] = [];
    const fileCmd = async (name: keyof typeof files) => readFile(files[name], 'utf8');
    const outputs = parseFileCommand(await fileCmd('GITHUB_OUTPUT'), 'GITHUB_OUTPUT');
    const envOut = parseFileCommand(await fileCmd('GITHUB_ENV'), 'GITHUB_ENV');
    if ('NODE_OPTIONS' in envOut) {
      annotations.push({ level: 'error', message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command." });
      delete envOut.NODE_OPTIONS;
    }
    const state = parseFileCommand(await fileCmd('GITHUB_STATE'), 'GITHUB_STATE');
    const path = (await fileCmd('GITHUB_PATH'))
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '');
    const summary = await fileCmd('GITHUB_STEP_SUMMARY');
    if (Buffer.byteLength(summary) > 1024 * 1024) {
      annotations.push({
        level: 'error',
        message: `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got ${Math.ceil(Buffer.byteLength(summary) / 1024)}k.`,
      });
    }

    const processed = processCommands([
      { stream: 'stdout', text: stdout },
      { stream: 'stderr', text: stderr },
    ], [token]);
    annotations.push(...processed.annotations);

    // Commands the runner still honours with a deprecation warning; ours must use the file commands.
    for (const c of processed.commands) {
      if (c.command === 'set-output') outputs[c.properties.name ?? ''] = c.message;
      if (c.command === 'save-state') state[c.properties.name ?? ''] = c.message;
    }

    return {
      code,
      outputs,
      env: envOut,
      state,
      path,
      summary,
      stdout,
      stderr,
      log: processed.log,
      annotations,
      debug: processed.debug,
      groups: processed.groups,
      masked: processed.masked,
      commands: processed.commands,
      leaked: (secret: string) => leaked(secret, stdout, stderr),
      durationMs,
      workspace,
      runnerTemp,
    };
  }
}

function readManifest(actionDir: string): ActionManifest {
  for (const f of ['action.yml', 'action.yaml']) {
    const p = join(actionDir, f);
    if (existsSync(p)) return parseYaml(readFileSync(p, 'utf8')) as ActionManifest;
  }
  throw new Error(`no action.yml in ${actionDir}`);
}

/** INPUT_<NAME> for every declared input: given value, else the evaluated default, else ''. */
function buildInputs(
  actionDir: string,
  manifest: ActionManifest,
  given: Record<string, string | number | boolean>,
  context: Record<string, unknown>,
): Record<string, string> {
  const declared = manifest.inputs ?? {};
  const byLower = new Map(Object.keys(declared).map((k) => [k.toLowerCase(), k]));
  const values = new Map<string, string>();
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const name = byLower.get(k.toLowerCase());
    if (!name) {
      throw new Error(`input "${k}" is not declared in ${actionDir}/action.yml (declared: ${Object.keys(declared).join(', ') || 'none'})`);
    }
    values.set(name, String(v));
  }
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    let value = values.get(name);
    if (value === undefined) {
      const d = spec?.default;
      value = d === undefined || d === null ? '' : evaluateTemplate(String(d), context, `${actionDir}/action.yml inputs.${name}.default`);
    }
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return env;
}

/**
 * Evaluate the `${{ }}` expressions an input default may hold: context paths (github.*, runner.*),
 * string/number/boolean literals and `a || b`. Anything else throws so the test author notices.
 */
export function evaluateTemplate(template: string, context: Record<string, unknown>, where = 'expression'): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => toStr(evaluateExpression(expr.trim(), context, where)));
}

function toStr(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

function evaluateExpression(expr: string, context: Record<string, unknown>, where: string): unknown {
  const alternatives = splitTopLevel(expr, '||');
  let last: unknown;
  for (const alt of alternatives) {
    last = evaluateTerm(alt.trim(), context, where, expr);
    if (last !== undefined && last !== null && last !== '' && last !== false && last !== 0) return last;
  }
  return last;
}

function splitTopLevel(expr: string, sep: string): string[] {
  const parts: string[] = [];
  let quote = false;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === "'") quote = !quote;
    else if (!quote && expr.startsWith(sep, i)) {
      parts.push(expr.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  parts.push(expr.slice(start));
  return parts;
}

function evaluateTerm(term: string, context: Record<string, unknown>, where: string, whole: string): unknown {
  if (/^'(?:[^']|'')*'$/.test(term)) return term.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(term)) return Number(term);
  if (term === 'true' || term === 'false') return term === 'true';
  if (term === 'null') return null;
  const m = /^([a-z_]+)((?:\.[A-Za-z0-9_-]+|\[(?:'[^']*'|\d+)\])*)$/.exec(term);
  if (!m || !(m[1]! in context)) {
    throw new Error(`${where}: the test harness cannot evaluate \${{ ${whole} }} (supports github.*, runner.*, literals and ||)`);
  }
  const segments = [...m[2]!.matchAll(/\.([A-Za-z0-9_-]+)|\['([^']*)'\]|\[(\d+)\]/g)].map((s) => s[1] ?? s[2] ?? s[3]!);
  let cur: unknown = context[m[1]!];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    // Known top-level keys only: a typo like github.shaa must not silently become ''.
    if (i === 0 && !(seg in (cur as object))) {
      throw new Error(`${where}: the test harness does not know ${m[1]}.${seg} (in \${{ ${whole} }})`);
    }
    // Below github.event a missing property is null, as in the runner.
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/**
 * Parse a file-command file as the runner does: `NAME=VALUE` lines and `NAME<<DELIM` heredocs ending at
 * a line equal to DELIM. Empty lines between entries are skipped; anything else is an error.
 */
export function parseFileCommand(text: string, fileName = 'file command'): Record<string, string> {
  const result: Record<string, string> = {};
  if (text === '') return result;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  // A trailing newline leaves one empty last element, which is not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const hd = line.indexOf('<<');
    if (eq >= 0 && (hd < 0 || eq < hd)) {
      const key = line.slice(0, eq);
      if (!key) throw new Error(`${fileName}: invalid format "${line}": name must not be empty`);
      result[key] = line.slice(eq + 1);
    } else if (hd >= 0 && (eq < 0 || hd < eq)) {
      const key = line.slice(0, hd);
      const delim = line.slice(hd + 2);
      if (!key) throw new Error(`${fileName}: invalid format "${line}": name must not be empty`);
      if (!delim) throw new Error(`${fileName}: invalid format "${line}": delimiter must not be empty`);
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delim) {
          closed = true;
          break;
        }
        body.push(lines[i]!);
      }
      if (!closed) throw new Error(`${fileName}: matching delimiter not found '${delim}' for ${key}`);
      result[key] = body.join('\n');
    } else {
      throw new Error(`${fileName}: invalid format "${line}"`);
    }
  }
  return result;
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) =>
  s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** Parse one `::command k=v,k=v::message` line as the runner's ActionCommand.TryParseV2 does. */
export function parseWorkflowCommand(line: string): Omit<WorkflowCommand, 'stream'> | undefined {
  const msg = line.trimStart();
  if (!msg.startsWith('::')) return undefined;
  const end = msg.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = msg.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).trim().split(',')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, message: unescapeData(msg.slice(end + 2)) };
}

const KNOWN = new Set(['error', 'warning', 'notice', 'debug', 'add-mask', 'group', 'endgroup', 'set-output', 'save-state', 'add-path', 'set-env', 'echo', 'stop-commands', 'add-matcher', 'remove-matcher']);

function processCommands(streams: { stream: 'stdout' | 'stderr'; text: string }[], initialMasks: string[]) {
  const annotations: Annotation[] = [];
  const debug: string[] = [];
  const groups: string[] = [];
  const commands: WorkflowCommand[] = [];
  const masks = new Set(initialMasks.filter(Boolean));
  const logLines: string[] = [];
  const mask = (s: string) => {
    let out = s;
    for (const m of [...masks].sort((a, b) => b.length - a.length)) out = out.split(m).join('***');
    return out;
  };
  for (const { stream, text } of streams) {
    let stopToken: string | undefined;
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      const cmd = parseWorkflowCommand(line);
      if (stopToken !== undefined) {
        if (cmd && cmd.command === stopToken) stopToken = undefined;
        else logLines.push(mask(line));
        continue;
      }
      if (!cmd || !KNOWN.has(cmd.command)) {
        logLines.push(mask(line));
        continue;
      }
      commands.push({ ...cmd, stream });
      switch (cmd.command) {
        case 'add-mask':
          // The runner masks each line of a multi-line secret separately.
          for (const part of cmd.message.split(/\r?\n/)) if (part.trim()) masks.add(part);
          break;
        case 'stop-commands':
          stopToken = cmd.message;
          break;
        case 'debug':
          debug.push(cmd.message);
          logLines.push(mask(`##[debug]${cmd.message}`));
          break;
        case 'group':
          groups.push(cmd.message);
          logLines.push(mask(`##[group]${cmd.message}`));
          break;
        case 'endgroup':
          logLines.push('##[endgroup]');
          break;
        case 'error':
        case 'warning':
        case 'notice': {
          const a: Annotation = { level: cmd.command, message: cmd.message };
          const p = cmd.properties;
          if (p.title !== undefined) a.title = p.title;
          if (p.file !== undefined) a.file = p.file;
          for (const [key, field] of [
            ['line', 'line'],
            ['endLine', 'endLine'],
            ['col', 'col'],
            ['endColumn', 'endColumn'],
          ] as const) {
            if (p[key] === undefined) continue;
            const n = Number(p[key]);
            if (!Number.isInteger(n)) throw new Error(`::${cmd.command}:: has a non-integer ${key}=${p[key]} (the runner rejects it)`);
            a[field] = n;
          }
          annotations.push({ ...a, message: mask(a.message) });
          logLines.push(mask(`##[${cmd.command}]${cmd.message}`));
          break;
        }
        default:
          logLines.push(mask(line));
      }
    }
  }
  return { annotations, debug, groups, commands, masked: [...masks], log: logLines.join('\n') };
}

function leaked(secret: string, stdout: string, stderr: string): boolean {
  if (!secret) return false;
  const visible = (text: string) =>
    text
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('::add-mask::'))
      .join('\n');
  return visible(stdout).includes(secret) || visible(stderr).includes(secret);
}
