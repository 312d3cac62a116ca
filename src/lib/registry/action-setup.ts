/**
 * What register-model and promote-stage both need before they act: the project folder and its
 * mlops.yml, the artifact (input, else mlops.yml), the repository, a GitHub tag backend, and the
 * audit context of the run. Entries pass raw input values; this resolves and validates them.
 */
import { join } from 'node:path';
import { loadConfig, type MlopsConfig } from '../config.js';
import { UserError } from '../errors.js';
import { runUrl } from '../github/context.js';
import { createOctokit } from '../github/octokit.js';
import type { Logger } from '../log.js';
import type { AuditContext } from './audit.js';
import { readMetricsSnapshot } from './audit.js';
import { GitHubTagBackend } from './github.js';

export interface RegistryActionInputs {
  token: string;
  workingDirectory: string;
  configPath: string;
  artifact: string;
  repository: string;
  metrics: string;
  imageDigest: string;
  logger: Logger;
}

export interface RegistryActionSetup {
  cwd: string;
  config?: MlopsConfig;
  artifact: string;
  backend: GitHubTagBackend;
  audit: AuditContext;
}

export function registryActionSetup(i: RegistryActionInputs): RegistryActionSetup {
  const cwd = join(process.env.GITHUB_WORKSPACE ?? process.cwd(), i.workingDirectory || '.');
  const configPath = i.configPath || 'mlops.yml';
  const config = loadConfig(cwd, configPath);
  const artifact = i.artifact || config?.artifact;
  if (!artifact) throw new UserError(`Input artifact is empty and ${configPath} has no \`artifact:\``, { field: 'artifact' });
  const [owner, repo] = (i.repository || process.env.GITHUB_REPOSITORY || '').split('/');
  if (!owner || !repo) throw new UserError('Input repository must be owner/name (default: the current repository)', { field: 'repository' });
  const octokit = createOctokit({ token: i.token, logger: i.logger });
  return {
    cwd,
    config,
    artifact,
    backend: new GitHubTagBackend(octokit, { owner, repo, log: i.logger }),
    audit: {
      actor: process.env.GITHUB_ACTOR,
      runUrl: runUrl(),
      metrics: readMetricsSnapshot(i.metrics, cwd),
      imageDigest: i.imageDigest || undefined,
    },
  };
}
