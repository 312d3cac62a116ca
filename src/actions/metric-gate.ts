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
import { summaryMarkdown } from '../lib/report/index.js';
import { headFileErrors, publishGateStatus, runGate, type GateRun } from '../lib/report/pr-loop.js';

await runAction(async () => {
  const token = secretInput('github-token');
  const workdir = input('working-directory') || '.';
  const context = input('status-context') || 'metric-gate';
  const setStatus = boolInput('set-status', true);
  const failOnError = boolInput('fail-on-error', true);
  const logger = actionLogger;
  const octokit = token ? createOctokit({ token, logger }) : undefined;
  if (setStatus && !octokit) throw new UserError('github-token is empty: it is needed to set the commit status (or set set-status: false)', { field: 'github-token' });
  const ctx = await resolveRunContext(octokit, { logger });
  // Annotations name files relative to the workspace, where the runner looks for them.
  const inRepo = (file: string) => (workdir === '.' ? file : join(workdir, file));

  let run: GateRun;
  try {
    run = await runGate({
      octokit,
      ctx,
      cwd: join(process.env.GITHUB_WORKSPACE ?? process.cwd(), workdir),
      configPath: input('config-path'),
      rules: input('rules'),
      metrics: listInput('metrics'),
      baselineRef: input('baseline-ref') || ctx.baseRef || process.env.GITHUB_BASE_REF || undefined,
      context,
      setStatus,
      overrideLabel: input('override-label'),
      logger,
    });
  } catch (e) {
    output('passed', false);
    output('failed-rules', []);
    throw isUserError(e) && e.file ? new UserError(e.message, { ...e, file: inRepo(e.file) }) : e;
  }

  for (const err of headFileErrors(run)) log.error(err.message, { file: err.file && inRepo(err.file), line: err.line, col: err.col });
  output('passed', run.verdict.passed || Boolean(run.override));
  output('failed-rules', failedRulesJson(run.verdict));
  output('overridden-by', run.override?.by ?? '');
  await summary(summaryMarkdown(run.markdown));

  if (setStatus && octokit) await publishGateStatus(octokit, ctx, context, run.status, logger);
  else logger.info(`${context}: ${run.status.state}: ${run.status.description}`);

  if (!run.verdict.passed && !run.override) {
    const reasons = run.verdict.failed.map((f) => f.reason).join('; ');
    if (failOnError) throw new UserError(`${context} failed: ${verdictLine(run.verdict)} (${reasons})`);
    logger.warning(`${context} failed (fail-on-error is false): ${reasons}`);
  }
});
