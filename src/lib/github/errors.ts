/** Turning Octokit errors into statuses and into messages a user can act on. */
import { UserError } from '../errors.js';

export function httpStatus(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'status' in e && typeof (e as { status: unknown }).status === 'number'
    ? (e as { status: number }).status
    : undefined;
}

/**
 * Wrap an API failure in a UserError that says what permission or condition is missing.
 * `what` is the operation in plain words ("create commit status on abc123").
 */
export function apiError(e: unknown, what: string, hints: { permission?: string } = {}): UserError {
  const status = httpStatus(e);
  const detail = e instanceof Error ? e.message : String(e);
  if (status === 401) return new UserError(`${what}: the GitHub token was rejected (401 Bad credentials). Check the github-token input.`, {}, { cause: e });
  if (status === 403 || status === 404) {
    const perm = hints.permission ? ` The token needs \`permissions: ${hints.permission}\` in the workflow job.` : '';
    const fork =
      process.env.GITHUB_EVENT_NAME === 'pull_request'
        ? ' On a pull request from a fork the token is read-only: use the ml-pr-fork.yml workflow_run companion to post results.'
        : '';
    return new UserError(`${what}: GitHub answered ${status} (${detail}).${perm}${fork}`, {}, { cause: e });
  }
  return new UserError(`${what}: GitHub answered ${status ?? 'an error'} (${detail})`, {}, { cause: e });
}
