/**
 * metric-gate: evaluate threshold rules against the PR's metrics (absolute bounds and vs the target
 * branch), set the commit status on the PR head, and fail the step when a rule fails — unless a
 * maintainer put the override label on the PR.
 */
import { join } from 'node:path';
import { actionLogger, boolInput, input, listInput, log, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { isUserError, UserError } from '../lib/errors.js';
import { failedRulesJson, verdictLine } from '../lib/gate.js';
import { resolveRunContext } from '../lib/github/context.js';
import { createOctokit } from '../lib/github/octokit.js';
import { snapshotErrors } from '../lib/metrics/index.js';
import { buildReport, renderMarkdown, summaryMarkdown, type Override } from '../lib/report/index.js';
import { baselinesOf, findOverride, gateOf, gateStatus, loadLoopConfig, publishGateStatus, readSnapshots } from '../lib/report/pr-loop.js';

await runAction(async () => {
  const token = secretInput('github-token');
  const workdir = input('working-directory') || '.';
  const cwd = join(process.env.GITHUB_WORKSPACE ?? process.cwd(), workdir);
  const context = input('status-context') || 'metric-gate';
  const setStatus = boolInput('set-status', true);
  const failOnError = boolInput('fail-on-error', true);
  const overrideLabel = input('override-label');
  const logger = actionLogger;
  const octokit = token ? createOctokit({ token, logger }) : undefined;
  if (setStatus && !octokit) throw new UserError('github-token is empty: it is needed to set the commit status (or set set-status: false)', { field: 'github-token' });
  const ctx = await resolveRunContext(octokit, { logger });
  const inRepo = (file: string) => (workdir === '.' ? file : join(workdir, file));

  let cfg;
  try {
    cfg = loadLoopConfig({ cwd, configPath: input('config-path'), rules: input('rules'), metrics: listInput('metrics') });
  } catch (e) {
    output('passed', false);
    output('failed-rules', []);
    if (isUserError(e) && setStatus && octokit && ctx.sha) {
      // Leave a visible red status rather than a silently missing one.
      const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : '';
      await publishGateStatus(octokit, ctx, context, { state: 'error', description: `Configuration error: ${where}${e.message}` }, logger).catch(() => {});
    }
    throw isUserError(e) && e.file ? new UserError(e.message, { ...e, file: inRepo(e.file) }) : e;
  }

  const baseRef = input('baseline-ref') || ctx.baseRef || process.env.GITHUB_BASE_REF || undefined;
  const snaps = await readSnapshots(cwd, cfg.sources, { base: baseRef }, logger);
  for (const err of snapshotErrors(snaps.head)) log.error(err.message, { file: err.file && inRepo(err.file), line: err.line, col: err.col });
  if (snaps.base && !snaps.base.snapshot) logger.warning(`Baseline ${snaps.base.ref}: ${snaps.base.reason}`);

  const verdict = gateOf(cfg, snaps);
  let override: Override | undefined;
  let ignored: string | undefined;
  if (!verdict.passed && octokit && overrideLabel && ctx.prNumber) {
    const found = await findOverride(octokit, ctx, overrideLabel, logger);
    if (found && 'by' in found) override = found;
    else if (found) ignored = found.ignored;
  }
  const status = gateStatus(verdict, override);

  output('passed', verdict.passed || Boolean(override));
  output('failed-rules', failedRulesJson(verdict));
  output('overridden-by', override?.by ?? '');
  const report = buildReport({
    title: context === 'metric-gate' ? 'metric-gate' : `metric-gate (${context})`,
    head: snaps.head,
    headLabel: ctx.sha ? ctx.sha.slice(0, 7) : 'head',
    baselines: baselinesOf(snaps),
    gate: verdict,
    override,
    sha: ctx.sha,
    runUrl: ctx.runUrl,
  });
  await summary(summaryMarkdown(renderMarkdown(report) + (ignored ? `\n> [!WARNING]\n> ${ignored}\n` : '')));

  if (setStatus && octokit) await publishGateStatus(octokit, ctx, context, status, logger);
  else logger.info(`${context}: ${status.state}: ${status.description}`);

  if (!verdict.passed && !override) {
    const reasons = verdict.failed.map((f) => f.reason).join('; ');
    if (failOnError) throw new UserError(`${context} failed: ${verdictLine(verdict)} (${reasons})`);
    logger.warning(`${context} failed (fail-on-error is false): ${reasons}`);
  }
});
