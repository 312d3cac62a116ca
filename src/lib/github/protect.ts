/**
 * `mlops protect`: the repository settings the delivery line relies on, through the API.
 * - The stage branches (main, staging, production by default) take changes only through pull requests
 *   with at least one approval and the required checks (the flow guard and `metric-gate`); no
 *   deletion, no force push. As a repository ruleset (default), or classic branch protection.
 * - Optionally the GitHub Environments of the later stages with required reviewers, so a promotion
 *   waits for a human, and a branch policy so only the stage's own branch deploys there.
 * Every write is planned first: `--dry-run` prints the plan; the same plan is what gets applied.
 */
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { httpStatus } from './errors.js';
import type { Octokit } from './octokit.js';

export const RULESET_NAME = 'mlops: stage branches';
/** Status check of the flow guard job when the template's caller job id is `ml-pr`. */
export const DEFAULT_REQUIRED_CHECKS = ['ml-pr / flow-guard', 'metric-gate'];

export interface ProtectOptions {
  owner: string;
  repo: string;
  branches: string[];
  requiredChecks: string[];
  approvals: number;
  /** Classic branch protection instead of a ruleset (plans without rulesets on private repos). */
  classic?: boolean;
  /** Environments to create or update, each with its reviewers and the branch allowed to deploy. */
  environments?: EnvironmentPlan[];
}

export interface EnvironmentPlan {
  name: string;
  /** `user:<login>` or `team:<org>/<slug>` (resolved to ids through the API). */
  reviewers: string[];
  /** Branch allowed to deploy to it (deployment branch policy); none = any. */
  branch?: string;
  waitTimer?: number;
}

export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Path with the values filled in, e.g. /repos/acme/churn/rulesets. */
  path: string;
  body?: Record<string, unknown>;
  /** One line for the dry-run listing. */
  why: string;
}

function rulesetBody(o: ProtectOptions): Record<string, unknown> {
  return {
    name: RULESET_NAME,
    target: 'branch',
    enforcement: 'active',
    conditions: { ref_name: { include: o.branches.map((b) => `refs/heads/${b}`), exclude: [] } },
    rules: [
      { type: 'deletion' },
      { type: 'non_fast_forward' },
      {
        type: 'pull_request',
        parameters: {
          required_approving_review_count: o.approvals,
          dismiss_stale_reviews_on_push: true,
          require_code_owner_review: false,
          require_last_push_approval: false,
          required_review_thread_resolution: false,
        },
      },
      {
        type: 'required_status_checks',
        parameters: {
          strict_required_status_checks_policy: false,
          required_status_checks: o.requiredChecks.map((context) => ({ context })),
        },
      },
    ],
  };
}

function classicBody(o: ProtectOptions): Record<string, unknown> {
  return {
    required_status_checks: { strict: false, contexts: o.requiredChecks },
    enforce_admins: true,
    required_pull_request_reviews: { dismiss_stale_reviews: true, required_approving_review_count: o.approvals },
    restrictions: null,
    allow_force_pushes: false,
    allow_deletions: false,
  };
}

function validate(o: ProtectOptions): void {
  if (!o.branches.length) throw new UserError('no branches to protect: pass --branch or list them in mlops.yml branches:', { field: 'branches' });
  if (!Number.isInteger(o.approvals) || o.approvals < 1 || o.approvals > 10) {
    throw new UserError(`--approvals ${o.approvals}: expected a whole number from 1 to 10 (GitHub's limit)`, { field: 'approvals' });
  }
  for (const e of o.environments ?? []) {
    if (e.reviewers.length > 6) throw new UserError(`environment ${e.name}: GitHub allows at most 6 required reviewers`, { field: 'reviewer' });
    for (const r of e.reviewers) {
      if (!/^user:[A-Za-z0-9-]+(\[bot\])?$/.test(r) && !/^team:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(r)) {
        throw new UserError(`reviewer "${r}": expected user:<login> or team:<org>/<team-slug>`, { field: 'reviewer' });
      }
    }
  }
}

type Reviewer = { type: 'User' | 'Team'; id: number };

async function resolveReviewers(octokit: Octokit, names: string[]): Promise<Reviewer[]> {
  const out: Reviewer[] = [];
  for (const r of names) {
    try {
      if (r.startsWith('user:')) {
        const { data } = await octokit.rest.users.getByUsername({ username: r.slice(5) });
        out.push({ type: 'User', id: data.id });
      } else {
        const [org, slug] = r.slice(5).split('/') as [string, string];
        const { data } = await octokit.rest.teams.getByName({ org, team_slug: slug });
        out.push({ type: 'Team', id: data.id });
      }
    } catch (e) {
      if (httpStatus(e) === 404) throw new UserError(`reviewer "${r}" not found on GitHub (check the login / org/team slug)`, { field: 'reviewer' });
      throw e;
    }
  }
  return out;
}

/**
 * The writes that make the repository match the options. Reads the current rulesets (to update ours
 * in place rather than add a second one) and resolves reviewer logins; writes nothing.
 */
export async function planProtection(octokit: Octokit, o: ProtectOptions): Promise<PlannedRequest[]> {
  validate(o);
  const base = `/repos/${o.owner}/${o.repo}`;
  const plan: PlannedRequest[] = [];
  if (o.classic) {
    for (const b of o.branches) {
      plan.push({ method: 'PUT', path: `${base}/branches/${encodeURIComponent(b)}/protection`, body: classicBody(o), why: `protect branch ${b}` });
    }
  } else {
    const existing = await octokit.paginate(octokit.rest.repos.getRepoRulesets, { owner: o.owner, repo: o.repo, per_page: 100, includes_parents: false });
    const ours = existing.find((r) => r.name === RULESET_NAME && r.source_type !== 'Organization');
    plan.push(
      ours
        ? { method: 'PUT', path: `${base}/rulesets/${ours.id}`, body: rulesetBody(o), why: `update ruleset "${RULESET_NAME}" (#${ours.id}) for ${o.branches.join(', ')}` }
        : { method: 'POST', path: `${base}/rulesets`, body: rulesetBody(o), why: `create ruleset "${RULESET_NAME}" for ${o.branches.join(', ')}` },
    );
  }
  for (const e of o.environments ?? []) {
    const reviewers = await resolveReviewers(octokit, e.reviewers);
    const body: Record<string, unknown> = {
      ...(e.waitTimer ? { wait_timer: e.waitTimer } : {}),
      reviewers,
      // With a branch: only that branch may deploy here (custom policy below); else any branch.
      deployment_branch_policy: e.branch ? { protected_branches: false, custom_branch_policies: true } : null,
    };
    plan.push({
      method: 'PUT',
      path: `${base}/environments/${encodeURIComponent(e.name)}`,
      body,
      why: `environment ${e.name}: ${e.reviewers.length ? `required reviewers ${e.reviewers.join(', ')}` : 'no required reviewers'}`,
    });
    if (e.branch) {
      plan.push({
        method: 'POST',
        path: `${base}/environments/${encodeURIComponent(e.name)}/deployment-branch-policies`,
        body: { name: e.branch, type: 'branch' },
        why: `environment ${e.name}: only branch ${e.branch} deploys`,
      });
    }
  }
  return plan;
}

export function formatPlan(plan: PlannedRequest[]): string {
  return plan.map((p) => `# ${p.why}\n${p.method} ${p.path}${p.body ? `\n${JSON.stringify(p.body, null, 2)}` : ''}`).join('\n\n');
}

/** Apply a plan in order. A 403 means the token cannot administer the repository: say so. */
export async function applyProtection(octokit: Octokit, plan: PlannedRequest[], log: Logger): Promise<void> {
  for (const p of plan) {
    try {
      await octokit.request(`${p.method} ${p.path}`, p.body ?? {});
    } catch (e) {
      const status = httpStatus(e);
      if (status === 403 || status === 404) {
        throw new UserError(
          `${p.method} ${p.path} was refused (${status}): the token needs admin rights on the repository ` +
            '(a classic token with repo scope from an admin, or a fine-grained token with Administration: write)' +
            (p.path.endsWith('/rulesets') && status === 403 ? '; rulesets on private repositories need GitHub Pro/Team, or use --classic' : ''),
        );
      }
      // The branch policy already exists: the environment is as asked.
      if (status === 422 && p.path.endsWith('/deployment-branch-policies')) {
        log.info(`${p.why}: already set`);
        continue;
      }
      throw e;
    }
    log.info(p.why);
  }
}
