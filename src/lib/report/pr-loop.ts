/**
 * The pull-request feedback loop that metric-gate, cml-report and the `mlops gate` / `mlops report`
 * commands share: which rules and files apply, the head and baseline snapshots, the gate verdict, the
 * maintainer override, and publishing (commit status, sticky comment). Entry points only read inputs
 * and call these functions.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, type GateRule, loadConfig, type MlopsConfig, parseGateRules } from '../config.js';
import { isUserError, UserError } from '../errors.js';
import { evaluateGate, type GateVerdict, verdictLine } from '../gate.js';
import { apiError, httpStatus } from '../github/errors.js';
import type { RunContext } from '../github/context.js';
import type { Octokit } from '../github/octokit.js';
import { setCommitStatus, type StatusState } from '../github/statuses.js';
import type { Logger } from '../log.js';
import { readRevisionSnapshot, readWorkspaceSnapshot, snapshotErrors, type Snapshot } from '../metrics/index.js';
import type { SourceOptions } from '../metrics/sources.js';
import { type Baseline, buildReport, type Override, renderMarkdown } from './index.js';

export interface LoopSettings {
  /** Project folder (the workspace, or a subfolder holding dvc.yaml / mlops.yml). */
  cwd: string;
  configPath?: string;
  /** Inline rules YAML (replaces mlops.yml gates). */
  rules?: string;
  /** Explicit metrics / params files (replace mlops.yml and dvc.yaml). */
  metrics?: string[];
  params?: string[];
}

export interface LoopConfig {
  config?: MlopsConfig;
  rules: GateRule[];
  sources: SourceOptions;
}

/** mlops.yml (optional unless config-path was given explicitly) plus the overriding inputs. */
export function loadLoopConfig(s: LoopSettings): LoopConfig {
  const explicit = Boolean(s.configPath && s.configPath !== CONFIG_FILE);
  const file = s.configPath || CONFIG_FILE;
  const config = existsSync(join(s.cwd, file)) || explicit ? loadConfig(s.cwd, file, { required: explicit }) : undefined;
  const rules = s.rules?.trim() ? parseGateRules(s.rules) : (config?.gates ?? []);
  return {
    config,
    rules,
    sources: {
      metrics: s.metrics?.length ? s.metrics : config?.metrics,
      params: s.params?.length ? s.params : config?.params,
    },
  };
}

export interface Snapshots {
  head: Snapshot;
  base?: { ref: string; snapshot?: Snapshot; reason?: string };
  serving?: { ref: string; snapshot?: Snapshot; reason?: string };
}

/** Head (workspace) and the baselines, each baseline read from git without a checkout. */
export async function readSnapshots(
  cwd: string,
  sources: SourceOptions,
  refs: { base?: string; serving?: string },
  logger?: Logger,
): Promise<Snapshots> {
  const head = await readWorkspaceSnapshot(cwd, sources);
  const read = async (ref: string | undefined) =>
    ref ? { ref, ...(await readRevisionSnapshot(cwd, ref, { ...sources, logger })) } : undefined;
  const [base, serving] = await Promise.all([read(refs.base), read(refs.serving)]);
  return { head, base, serving };
}

export function baselinesOf(s: Snapshots, servingName?: string): Baseline[] {
  const out: Baseline[] = [];
  const short = (b: { ref: string; snapshot?: Snapshot }) =>
    /^[0-9a-f]{40}$/.test(b.ref) ? b.ref.slice(0, 7) : b.ref;
  if (s.base) out.push({ id: 'base', title: `Metrics vs \`${short(s.base)}\``, label: short(s.base), snapshot: s.base.snapshot, reason: s.base.reason });
  if (s.serving) {
    const name = servingName ? `${servingName} (${short(s.serving)})` : short(s.serving);
    out.push({ id: 'serving', title: `Metrics vs serving model ${name}`, label: `serving ${short(s.serving)}`, snapshot: s.serving.snapshot, reason: s.serving.reason });
  }
  return out;
}

export function gateOf(cfg: LoopConfig, s: Snapshots): GateVerdict {
  return evaluateGate(cfg.rules, s.head, s.base);
}

// ---- override --------------------------------------------------------------------------------------

export type OverrideResult = { by: string; label: string } | { ignored: string } | undefined;

/** Roles allowed to override a failed gate. */
const MAINTAINER_ROLES = new Set(['admin', 'maintain']);

/**
 * Is the override label on the PR, and did a maintainer put it there? The issue events say who added
 * it last (the payload's label list can be stale on re-runs, and says nothing about who).
 */
export async function findOverride(octokit: Octokit, ctx: RunContext, label: string, logger?: Logger): Promise<OverrideResult> {
  if (!label || !ctx.prNumber) return undefined;
  const { owner, repo } = ctx;
  let events: { event?: string; label?: { name?: string }; actor?: { login?: string } | null }[];
  try {
    events = (await octokit.paginate(octokit.rest.issues.listEvents, { owner, repo, issue_number: ctx.prNumber, per_page: 100 })) as typeof events;
  } catch (e) {
    throw apiError(e, `read the label events of #${ctx.prNumber}`, { permission: 'pull-requests: read' });
  }
  let by: string | undefined;
  for (const ev of events) {
    if (ev.label?.name !== label) continue;
    if (ev.event === 'labeled') by = ev.actor?.login ?? undefined;
    else if (ev.event === 'unlabeled') by = undefined;
  }
  if (!by) return undefined;
  let role: string | undefined;
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: by });
    role = (data as { role_name?: string }).role_name || data.permission;
  } catch (e) {
    if (httpStatus(e) !== 404) throw apiError(e, `read the repository permission of @${by}`, { permission: 'contents: read' });
    role = 'none';
  }
  if (!MAINTAINER_ROLES.has(role ?? '')) {
    const why = `label "${label}" was added by @${by} (role ${role ?? 'unknown'}), not by a maintainer (admin or maintain): ignored`;
    logger?.warning(why);
    return { ignored: why };
  }
  logger?.info(`Gate overridden by @${by} with the "${label}" label`);
  return { by, label };
}

// ---- status ----------------------------------------------------------------------------------------

export interface GateStatus {
  state: StatusState;
  description: string;
}

export function gateStatus(v: GateVerdict, override?: Override): GateStatus {
  if (v.passed) return { state: 'success', description: verdictLine(v) };
  if (override) return { state: 'success', description: `Overridden by @${override.by} (${override.label}): ${verdictLine(v)}` };
  return { state: 'failure', description: verdictLine(v) };
}

/**
 * A 403/404 on a write from a fork PR run is expected: say why and what to do instead of a bare error.
 */
export function forkAware(e: unknown, ctx: RunContext, what: string): UserError {
  const status = httpStatus(e) ?? httpStatus((e as { cause?: unknown } | undefined)?.cause);
  if (ctx.fromFork && (status === 403 || status === 404)) {
    return new UserError(
      `${what}: GitHub answered ${status}. This pull request comes from a fork, and GitHub gives workflows triggered by fork pull requests a read-only token, so they cannot write statuses or comments. Run this step from a workflow_run workflow (see .github/workflows/ml-pr-fork.yml) that posts the results with the base repository's token, or set set-status/comment to false in the fork job.`,
      {},
      { cause: e },
    );
  }
  return isUserError(e) ? e : apiError(e, what);
}

export async function publishGateStatus(
  octokit: Octokit,
  ctx: RunContext,
  context: string,
  status: GateStatus,
  logger?: Logger,
): Promise<void> {
  if (!ctx.sha) throw new UserError('no commit to put the status on (GITHUB_SHA is empty and the event names no pull request)');
  try {
    await setCommitStatus(
      octokit,
      { owner: ctx.owner, repo: ctx.repo, sha: ctx.sha, state: status.state, context, description: status.description, targetUrl: ctx.runUrl },
      logger,
    );
  } catch (e) {
    throw forkAware(e, ctx, `set commit status "${context}" on ${ctx.sha.slice(0, 7)}`);
  }
}

// ---- the metric-gate run ---------------------------------------------------------------------------

export interface GateRunOptions extends LoopSettings {
  octokit?: Octokit;
  ctx: RunContext;
  /** Status context, e.g. `metric-gate`. */
  context: string;
  setStatus: boolean;
  overrideLabel?: string;
  baselineRef?: string;
  logger?: Logger;
}

export interface GateRun {
  verdict: GateVerdict;
  override?: Override;
  /** Why an override label on the PR did not count. */
  ignoredOverride?: string;
  status: GateStatus;
  head: Snapshot;
  /** Markdown for the job summary: verdict, rule table, metric and params diffs. */
  markdown: string;
}

/**
 * Evaluate the gate for a run and (when asked) set the commit status. A configuration error sets an
 * `error` status when it can, so the PR shows why no verdict came, and is rethrown.
 */
export async function runGate(o: GateRunOptions): Promise<GateRun> {
  const { ctx, logger } = o;
  let cfg: LoopConfig;
  try {
    cfg = loadLoopConfig(o);
  } catch (e) {
    if (isUserError(e) && o.setStatus && o.octokit && ctx.sha) {
      const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : '';
      await publishGateStatus(o.octokit, ctx, o.context, { state: 'error', description: `Configuration error: ${where}${e.message}` }, logger).catch(
        (err: unknown) => logger?.debug(`could not set the error status: ${String(err)}`),
      );
    }
    throw e;
  }

  const snaps = await readSnapshots(o.cwd, cfg.sources, { base: o.baselineRef }, logger);
  if (snaps.base && !snaps.base.snapshot) logger?.warning(`Baseline ${snaps.base.ref}: ${snaps.base.reason}`);
  const verdict = gateOf(cfg, snaps);
  let override: Override | undefined;
  let ignoredOverride: string | undefined;
  if (!verdict.passed && o.octokit && o.overrideLabel && ctx.prNumber) {
    const found = await findOverride(o.octokit, ctx, o.overrideLabel, logger);
    if (found && 'by' in found) override = found;
    else if (found) ignoredOverride = found.ignored;
  }
  const status = gateStatus(verdict, override);
  const report = buildReport({
    title: o.context === 'metric-gate' ? 'metric-gate' : `metric-gate (${o.context})`,
    head: snaps.head,
    headLabel: ctx.sha ? ctx.sha.slice(0, 7) : 'head',
    baselines: baselinesOf(snaps),
    gate: verdict,
    override,
    sha: ctx.sha || undefined,
    runUrl: ctx.runUrl,
  });
  const markdown = renderMarkdown(report) + (ignoredOverride ? `\n> [!WARNING]\n> ${ignoredOverride}\n` : '');
  return { verdict, override, ignoredOverride, status, head: snaps.head, markdown };
}

/** Errors of the head's metrics files (malformed, unreadable), for annotations. */
export function headFileErrors(run: Pick<GateRun, 'head'>): UserError[] {
  return snapshotErrors(run.head);
}
