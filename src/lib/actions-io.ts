/**
 * The one place that talks to the runner (@actions/core). Entry files in src/actions use these helpers
 * so that src/lib stays runnable from the CLI and from tests without a runner.
 */
import * as core from '@actions/core';
import { isUserError, messageOf, UserError } from './errors.js';
import { type Logger, redactSecrets, registerSecret } from './log.js';

export type Inputs = Record<string, string>;

/** Read an input the runner passed (`INPUT_<NAME>`); defaults come from action.yml via the runner. */
export function input(name: string, opts: { required?: boolean } = {}): string {
  const value = core.getInput(name, { trimWhitespace: true });
  if (opts.required && value === '') {
    throw new UserError(`Input required and not supplied: ${name}`, { field: name });
  }
  return value;
}

export function boolInput(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name, { trimWhitespace: true });
  if (raw === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw new UserError(`Input ${name} must be one of true|True|TRUE|false|False|FALSE, got "${raw}"`, { field: name });
}

export function intInput(name: string, fallback: number, min = 0): number {
  const raw = core.getInput(name, { trimWhitespace: true });
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UserError(`Input ${name} must be an integer >= ${min}, got "${raw}"`, { field: name });
  return n;
}

/** Newline- or comma-separated list input, blanks dropped. */
export function listInput(name: string): string[] {
  return core
    .getInput(name)
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Read a secret input and mask it in every later log line. */
export function secretInput(name: string, opts: { required?: boolean } = {}): string {
  const value = input(name, opts);
  mask(value);
  return value;
}

export function mask(value: string): void {
  if (!value) return;
  core.setSecret(value);
  registerSecret(value);
}

/** The lib Logger backed by the runner log (warnings become annotations). */
export const actionLogger: Logger = {
  info: (m) => core.info(m),
  debug: (m) => core.debug(m),
  warning: (m, where) => core.warning(m, where?.file ? { file: where.file, startLine: where.line } : undefined),
};

export function output(name: string, value: string | number | boolean | object): void {
  core.setOutput(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
}

export async function summary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

export const log = {
  info: (m: string) => core.info(m),
  debug: (m: string) => core.debug(m),
  warning: (m: string, where?: { file?: string; line?: number }) =>
    core.warning(m, where ? { file: where.file, startLine: where.line } : undefined),
  notice: (m: string) => core.notice(m),
  error: (m: string, where?: { file?: string; line?: number; col?: number }) =>
    core.error(m, where ? { file: where.file, startLine: where.line, startColumn: where.col } : undefined),
  group: <T>(name: string, fn: () => Promise<T>) => core.group(name, fn),
};

/**
 * Run an action's body: user errors become one annotation naming file/line/field and a failed step;
 * unexpected errors also fail the step, with the stack in the debug log rather than as the only output.
 */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    reportFailure(e);
  }
}

export function reportFailure(e: unknown): void {
  // core.error (not setFailed) so the one annotation carries file/line; the exit code fails the step.
  if (isUserError(e)) {
    const msg = e.field && !e.message.includes(e.field) ? `${e.field}: ${e.message}` : e.message;
    core.error(redactSecrets(msg), e.file ? { file: e.file, startLine: e.line, startColumn: e.col } : undefined);
  } else {
    if (e instanceof Error && e.stack) core.debug(redactSecrets(e.stack));
    core.error(redactSecrets(`Unexpected error: ${messageOf(e)}`));
  }
  process.exitCode = 1;
}
