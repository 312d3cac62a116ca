/**
 * Hosting report images inside the repository itself: the files are committed to a dedicated orphan
 * branch (default `mlops-assets`, under `<pr>/<sha>/`) through the git data API, and linked by URLs
 * pinned to that commit. Nothing leaves GitHub, and in a private repository the images show to exactly
 * the people who can read the repository (GitHub documents `/blob/<ref>/<path>?raw=true` for images in
 * comments; the browser follows it with the reader's own session).
 *
 * The branch only ever moves forward (ref update with force: false, re-read and retry on a race); a
 * token that cannot write contents (fork PRs, `contents: read`) gives a `forbidden` result so the caller
 * falls back to Mermaid / tables instead of failing the report.
 */
import { commitChanges, type FileChange } from './git-data.js';
import { httpStatus } from './errors.js';
import type { Octokit } from './octokit.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';

export const DEFAULT_ASSETS_BRANCH = 'mlops-assets';

export interface AssetFile {
  /** File name inside the folder (e.g. `ROC.png`); may contain `/` for sub-folders. */
  name: string;
  content: Buffer | string;
}

export interface HostAssetsOptions {
  owner: string;
  repo: string;
  /** Default mlops-assets. */
  branch?: string;
  /** Folder inside the branch; default `<pr>/<sha>` (or `commit/<sha>` without a PR). */
  folder?: string;
  pr?: number;
  sha: string;
  files: AssetFile[];
  /** Web server for the links; default GITHUB_SERVER_URL, then https://github.com (GHES differs). */
  serverUrl?: string;
  logger?: Logger;
  /** Bounded attempts when the branch moves under us (concurrent jobs). */
  attempts?: number;
}

export type HostAssetsResult =
  | {
      kind: 'hosted';
      branch: string;
      /** The commit holding the files; every URL is pinned to it. */
      commit: string;
      /** False when identical files were already there (a re-run): nothing new was committed. */
      changed: boolean;
      /** File name -> image URL. */
      urls: Record<string, string>;
    }
  | {
      kind: 'forbidden';
      status: number;
      /** Why, in words for the report ("the token cannot write contents ..."). */
      message: string;
    };

/** `https://github.com/o/r/blob/<commit>/<path>?raw=true`, each path segment percent-encoded. */
export function assetUrl(serverUrl: string, owner: string, repo: string, commit: string, path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${serverUrl.replace(/\/+$/, '')}/${owner}/${repo}/blob/${commit}/${encoded}?raw=true`;
}

export function assetFolder(opts: { folder?: string; pr?: number; sha: string }): string {
  return (opts.folder ?? (opts.pr !== undefined ? `${opts.pr}/${opts.sha}` : `commit/${opts.sha}`)).replace(/^\/+|\/+$/g, '');
}

export async function hostAssets(octokit: Octokit, opts: HostAssetsOptions): Promise<HostAssetsResult> {
  const log = opts.logger ?? silentLogger;
  const branch = opts.branch ?? DEFAULT_ASSETS_BRANCH;
  const folder = assetFolder(opts);
  const serverUrl = opts.serverUrl ?? process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const paths = opts.files.map((f) => ({ path: `${folder}/${f.name}`, content: Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content, 'utf8') }));

  try {
    const result = await commitChanges(octokit, {
      owner: opts.owner,
      repo: opts.repo,
      branch,
      ifMissing: { orphan: true },
      attempts: opts.attempts,
      message: `mlops: report images for ${opts.pr !== undefined ? `#${opts.pr}` : 'commit'} at ${opts.sha.slice(0, 7)}`,
      // Re-runs of the same commit find identical files and commit nothing (the URLs stay the same).
      edit: async (reader) => {
        const changes: FileChange[] = [];
        for (const p of paths) {
          const existing = reader.head ? await reader.read(p.path) : undefined;
          if (!existing || !existing.equals(p.content)) changes.push({ path: p.path, content: p.content });
        }
        return changes;
      },
    });
    const commit = result.commit!;
    log.info(`${result.changed ? 'committed' : 'reused'} ${paths.length} report image(s) on ${branch} at ${commit.slice(0, 7)}`);
    return {
      kind: 'hosted',
      branch,
      commit,
      changed: result.changed,
      urls: Object.fromEntries(opts.files.map((f, i) => [f.name, assetUrl(serverUrl, opts.owner, opts.repo, commit, paths[i]!.path)])),
    };
  } catch (e) {
    const status = httpStatus(e);
    // 403: the token has no contents: write (fork PR, read-only permissions). 404 is what GitHub answers
    // for a write the token may not even see. Either way: fall back, do not fail the report.
    if (status === 403 || status === 404) {
      const message =
        `cannot commit report images to ${opts.owner}/${opts.repo} branch ${branch} (GitHub answered ${status}): ` +
        'the token needs `permissions: contents: write` (pull requests from forks never get it); showing charts as Mermaid / tables instead';
      log.warning(message);
      return { kind: 'forbidden', status, message };
    }
    throw e;
  }
}
