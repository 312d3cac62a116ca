/**
 * The registry over the GitHub API (git data: annotated tag objects + refs), for the actions.
 *
 * Reading is two paginated listings, whatever the number of tags of the artifact:
 * - matching-refs `refs/tags/<artifact>` gives every tag name and whether it is annotated (the ref
 *   points at a tag object) or lightweight (at a commit);
 * - the repository's tag list (GET /repos/{owner}/{repo}/tags) gives the commit each tag peels to.
 * That is all the state needs when events carry counters (our assignments and GTO's) and registrations
 * have none. Tagger times are fetched per tag object only when the order of counter-less events matters
 * (a deregistration, a deprecation or a GTO `--simple` assignment exists for the artifact); messages are
 * not needed to compute state at all.
 */
import pLimit from 'p-limit';
import { UserError } from '../errors.js';
import { apiError, httpStatus } from '../github/errors.js';
import type { Octokit } from '../github/octokit.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { NewTag, RegistryBackend } from './backend.js';
import { artifactInTag, parseTag } from './grammar.js';
import type { RawTag } from './state.js';

export interface GitHubTagBackendOptions {
  owner: string;
  repo: string;
  log?: Logger;
  /** Identity recorded as the tagger; the person behind the run goes into the audit record. */
  tagger?: { name: string; email: string };
  /** Clock for the tagger date (tests). */
  now?: () => Date;
}

export const BOT_TAGGER = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

export class GitHubTagBackend implements RegistryBackend {
  readonly where: string;
  private readonly log: Logger;

  constructor(
    private readonly octokit: Octokit,
    private readonly opts: GitHubTagBackendOptions,
  ) {
    this.where = `${opts.owner}/${opts.repo} on GitHub`;
    this.log = opts.log ?? silentLogger;
  }

  private get repoArgs() {
    return { owner: this.opts.owner, repo: this.opts.repo };
  }

  async readTags(artifact?: string): Promise<RawTag[]> {
    const what = `read tags of ${this.opts.owner}/${this.opts.repo}`;
    const refs = await this.octokit
      .paginate(this.octokit.rest.git.listMatchingRefs, { ...this.repoArgs, ref: `tags/${artifact ? artifactInTag(artifact) : ''}`, per_page: 100 })
      .catch((e: unknown) => {
        throw apiError(e, what, { permission: 'contents: read' });
      });
    const candidates = refs
      .map((r) => ({ name: r.ref.replace(/^refs\/tags\//, ''), type: r.object.type, sha: r.object.sha }))
      .filter((r) => {
        const p = parseTag(r.name);
        return !artifact || p?.artifact === artifact;
      });
    if (candidates.length === 0) return [];

    const peeled = new Map<string, string>();
    try {
      const listed = await this.octokit.paginate(this.octokit.rest.repos.listTags, { ...this.repoArgs, per_page: 100 });
      for (const t of listed) peeled.set(t.name, t.commit.sha);
    } catch (e) {
      // Servers without the tag list (some GitHub-compatible APIs) still work, one tag object at a time.
      if (httpStatus(e) !== 404) throw apiError(e, what, { permission: 'contents: read' });
      this.log.debug(`registry: ${this.opts.owner}/${this.opts.repo} has no tag list endpoint; reading tag objects one by one`);
    }

    const tags: RawTag[] = candidates.map((r) =>
      r.type === 'tag' ? { name: r.name, annotated: true, commit: peeled.get(r.name) } : { name: r.name, annotated: false, commit: r.type === 'commit' ? r.sha : undefined },
    );
    const needTimes = candidates.some((r) => {
      const p = parseTag(r.name);
      return r.type === 'tag' && p && p.counter === undefined && p.action !== 'register';
    });
    const limit = pLimit(8);
    await Promise.all(
      candidates.map((r, i) => {
        const t = tags[i]!;
        if (r.type !== 'tag' || (!needTimes && t.commit)) return undefined;
        return limit(async () => Object.assign(t, await this.tagObject(r.sha)));
      }),
    );
    return tags;
  }

  /** One annotated tag object, peeled to its commit. */
  private async tagObject(sha: string): Promise<Partial<RawTag>> {
    const { data } = await this.octokit.rest.git.getTag({ ...this.repoArgs, tag_sha: sha }).catch((e: unknown) => {
      throw apiError(e, `read tag object ${sha}`, { permission: 'contents: read' });
    });
    const time = data.tagger?.date ? Math.floor(Date.parse(data.tagger.date) / 1000) : undefined;
    return {
      commit: data.object.type === 'commit' ? data.object.sha : undefined,
      time,
      tagger: data.tagger ? `${data.tagger.name} <${data.tagger.email}>` : undefined,
      message: data.message,
    };
  }

  async resolveCommit(ref: string): Promise<string> {
    const where = `${this.opts.owner}/${this.opts.repo}`;
    if (/^[0-9a-f]{40}$/i.test(ref)) {
      try {
        return (await this.octokit.rest.git.getCommit({ ...this.repoArgs, commit_sha: ref.toLowerCase() })).data.sha;
      } catch (e) {
        if (httpStatus(e) === 404 || httpStatus(e) === 422) throw new UserError(`commit ${ref} does not exist in ${where}`, { field: 'ref' });
        throw apiError(e, `read commit ${ref}`, { permission: 'contents: read' });
      }
    }
    const name = ref.replace(/^refs\//, '');
    const candidates = name.startsWith('heads/') || name.startsWith('tags/') ? [name] : [`heads/${name}`, `tags/${name}`];
    for (const c of candidates) {
      try {
        const { data } = await this.octokit.rest.git.getRef({ ...this.repoArgs, ref: c });
        if (data.object.type === 'commit') return data.object.sha;
        if (data.object.type === 'tag') {
          const commit = (await this.tagObject(data.object.sha)).commit;
          if (commit) return commit;
        }
      } catch (e) {
        if (httpStatus(e) !== 404) throw apiError(e, `resolve ${ref}`, { permission: 'contents: read' });
      }
    }
    throw new UserError(`"${ref}" is neither a commit sha nor a branch or tag of ${where}`, { field: 'ref' });
  }

  async createTag(tag: NewTag): Promise<{ created: boolean }> {
    const what = `create tag ${tag.name} in ${this.opts.owner}/${this.opts.repo}`;
    const tagger = { ...(this.opts.tagger ?? BOT_TAGGER), date: (this.opts.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const object = await this.octokit.rest.git
      .createTag({ ...this.repoArgs, tag: tag.name, message: tag.message, object: tag.commit, type: 'commit', tagger })
      .catch((e: unknown) => {
        throw apiError(e, what, { permission: 'contents: write' });
      });
    try {
      // retries: 0 because "already exists" is an answer here, not a fault; createOctokit's request-level
      // retry count would otherwise make plugin-retry repeat every 4xx.
      await this.octokit.rest.git.createRef({ ...this.repoArgs, ref: `refs/tags/${tag.name}`, sha: object.data.sha, request: { retries: 0 } });
      return { created: true };
    } catch (e) {
      if (httpStatus(e) !== 422 && httpStatus(e) !== 409) throw apiError(e, what, { permission: 'contents: write' });
      // "Reference already exists": lost the race, unless an earlier try of ours got through.
      const existing = await this.octokit.rest.git.getRef({ ...this.repoArgs, ref: `tags/${tag.name}` }).catch(() => undefined);
      if (existing?.data.object.sha === object.data.sha) return { created: true };
      this.log.debug(`${tag.name} exists already (${existing?.data.object.sha ?? 'unknown object'})`);
      return { created: false };
    }
  }
}
