/** GitopsBackend over the GitHub API: one compare-and-swap commit per bump via commitChanges. */
import { UserError } from '../errors.js';
import { apiError, httpStatus } from '../github/errors.js';
import { commitChanges } from '../github/git-data.js';
import type { Octokit } from '../github/octokit.js';
import type { CommitFileOptions, CommitOutcome, GitopsBackend } from './backend.js';

export class GithubBackend implements GitopsBackend {
  readonly where: string;

  constructor(
    private readonly octokit: Octokit,
    readonly owner: string,
    readonly repo: string,
    /** Compare-and-swap attempts before giving up; each lost race costs one. */
    private readonly attempts = 25,
  ) {
    this.where = `${owner}/${repo}`;
  }

  async defaultBranch(): Promise<string> {
    try {
      return (await this.octokit.rest.repos.get({ owner: this.owner, repo: this.repo })).data.default_branch;
    } catch (e) {
      throw apiError(e, `read repository ${this.where}`, { permission: 'contents: read' });
    }
  }

  async headOf(branch: string): Promise<string | undefined> {
    try {
      return (await this.octokit.rest.git.getRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}` })).data.object.sha;
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      throw apiError(e, `read branch ${branch} of ${this.where}`, { permission: 'contents: read' });
    }
  }

  async readFile(branch: string, path: string): Promise<string | undefined> {
    try {
      const res = await this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path: path.replace(/^\.?\//, ''), ref: branch });
      const data = res.data;
      if (Array.isArray(data) || data.type !== 'file') return undefined;
      if (!data.content && data.size > 0) {
        const blob = await this.octokit.rest.git.getBlob({ owner: this.owner, repo: this.repo, file_sha: data.sha });
        return Buffer.from(blob.data.content, 'base64').toString('utf8');
      }
      return Buffer.from(data.content ?? '', 'base64').toString('utf8');
    } catch (e) {
      if (httpStatus(e) === 404) return undefined;
      throw apiError(e, `read ${path} at ${this.where}@${branch}`, { permission: 'contents: read' });
    }
  }

  async commitFile(opts: CommitFileOptions): Promise<CommitOutcome> {
    let from: string | undefined;
    if (opts.startFrom) {
      from = await this.headOf(opts.startFrom);
      if (!from) throw new UserError(`branch "${opts.startFrom}" does not exist in ${this.where}`, { field: 'branch' });
    }
    let message = '';
    try {
      return await commitChanges(this.octokit, {
        owner: this.owner,
        repo: this.repo,
        branch: opts.branch,
        ifMissing: from ? { from } : 'fail',
        attempts: this.attempts,
        // One attempt is five sequential requests; losers wait about that long, doubling each time
        // (measured: 20 writers on the API fake finish in a third of the time of a 500 ms base).
        backoff: { baseDelayMs: 1_500, maxDelayMs: 20_000 },
        message: () => message,
        edit: async (reader) => {
          const buf = await reader.read(opts.path);
          const update = opts.apply(buf?.toString('utf8'));
          if (!update) return null;
          message = update.message;
          return [{ path: opts.path.replace(/^\.?\//, ''), content: update.content }];
        },
      });
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw apiError(e, `commit ${opts.path} to ${this.where}@${opts.branch}`, { permission: 'contents: write' });
    }
  }

  async resetBranch(branch: string, from: string): Promise<void> {
    const sha = await this.headOf(from);
    if (!sha) throw new UserError(`branch "${from}" does not exist in ${this.where}`, { field: 'branch' });
    try {
      if (await this.headOf(branch)) {
        await this.octokit.rest.git.updateRef({ owner: this.owner, repo: this.repo, ref: `heads/${branch}`, sha, force: true });
      } else {
        await this.octokit.rest.git.createRef({ owner: this.owner, repo: this.repo, ref: `refs/heads/${branch}`, sha });
      }
    } catch (e) {
      throw apiError(e, `move branch ${branch} of ${this.where} to ${from}`, { permission: 'contents: write' });
    }
  }
}
