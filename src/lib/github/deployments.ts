/**
 * GitHub deployments: record that an environment now runs something, so the repository's
 * Environments page and the deployments API show what runs where. One deployment per bump, with
 * statuses in_progress -> success (auto_inactive retires the previous one).
 */
import type { Octokit } from './octokit.js';
import { apiError } from './errors.js';

export interface DeploymentOptions {
  owner: string;
  repo: string;
  /** The commit (or branch/tag) being deployed, in `repo`. */
  ref: string;
  environment: string;
  description?: string;
  payload?: Record<string, unknown>;
  /** Link shown on the status, usually the workflow run. */
  logUrl?: string;
  /** Where the environment can be seen (the GitOps commit or the app URL). */
  environmentUrl?: string;
  productionEnvironment?: boolean;
}

export interface DeploymentRecord {
  id: number;
  url: string;
}

export async function recordDeployment(octokit: Octokit, o: DeploymentOptions): Promise<DeploymentRecord> {
  const what = `record a deployment of ${o.ref} to ${o.environment} in ${o.owner}/${o.repo}`;
  try {
    const res = await octokit.rest.repos.createDeployment({
      owner: o.owner,
      repo: o.repo,
      ref: o.ref,
      environment: o.environment,
      description: o.description?.slice(0, 140),
      payload: (o.payload ?? {}) as Record<string, never>,
      // The merge already passed its checks; do not merge the default branch into ref or wait on contexts.
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
      production_environment: o.productionEnvironment ?? o.environment === 'production',
    });
    if (res.status !== 201 || !('id' in res.data)) {
      throw new Error(`GitHub did not create the deployment (${res.status}: ${JSON.stringify(res.data)})`);
    }
    const id = res.data.id;
    const status = async (state: 'in_progress' | 'success') =>
      octokit.rest.repos.createDeploymentStatus({
        owner: o.owner,
        repo: o.repo,
        deployment_id: id,
        state,
        description: o.description?.slice(0, 140),
        ...(o.logUrl ? { log_url: o.logUrl } : {}),
        ...(o.environmentUrl ? { environment_url: o.environmentUrl } : {}),
        ...(state === 'success' ? { auto_inactive: true } : {}),
      });
    await status('in_progress');
    await status('success');
    return { id, url: res.data.url };
  } catch (e) {
    throw apiError(e, what, { permission: 'deployments: write' });
  }
}
