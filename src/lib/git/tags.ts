/**
 * The registry over a local git repository (CLI, demo): tags are read with one `git for-each-ref`, and
 * written as real annotated tag objects (`git mktag`, byte-identical to `git tag -a`). With a remote,
 * tags are fetched first and a new tag is pushed by object id before the local ref exists, so a push
 * the remote rejects (name taken) leaves nothing behind locally either: no force, no deletion.
 */
import { loadConfig, type MlopsConfig } from '../config.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { stageFlow } from '../promotion.js';
import { runUrl } from '../github/context.js';
import type { AuditContext } from '../registry/audit.js';
import type { NewTag, RegistryBackend } from '../registry/backend.js';
import type { RawTag } from '../registry/state.js';
import { execFile } from 'node:child_process';
import { git as gitWithInput, gitOut as gitOutWithInput, GitError, type GitOptions, type GitResult } from './cli.js';

export interface GitTagBackendOptions {
  cwd: string;
  /** Remote name or URL to fetch tags from and push new tags to; none: local only. */
  remote?: string;
  log?: Logger;
}

const FIELDS = [
  '%(refname)',
  '%(objecttype)',
  '%(objectname)',
  '%(*objectname)',
  '%(*objecttype)',
  '%(taggerdate:unix)',
  '%(taggername) %(taggeremail)',
  '%(contents)',
];
const FORMAT = FIELDS.join('%00') + '%00';

// Workaround: cli.ts always writes to git's stdin, and a git that exits before reading it makes that
// write fail with an unhandled EPIPE that kills the process. Until cli.ts ignores that error, commands
// without input run through execFile, which opens no stdin pipe for writing.
function git(args: string[], opts: GitOptions): Promise<GitResult> {
  if (opts.input !== undefined) return gitWithInput(args, opts);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: opts.cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...opts.env }, maxBuffer: 1 << 30, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = { stdout, stderr, code };
        if (code !== 0 && !opts.allowFail) reject(new GitError(args, result));
        else resolve(result);
      },
    );
  });
}

async function gitOut(args: string[], opts: GitOptions): Promise<string> {
  if (opts.input !== undefined) return gitOutWithInput(args, opts);
  return (await git(args, opts)).stdout.replace(/\n$/, '');
}

export class GitTagBackend implements RegistryBackend {
  readonly where: string;
  private readonly log: Logger;

  constructor(private readonly opts: GitTagBackendOptions) {
    this.where = opts.remote ? `remote ${opts.remote}` : `the git repository in ${opts.cwd}`;
    this.log = opts.log ?? silentLogger;
  }

  async readTags(): Promise<RawTag[]> {
    if (this.opts.remote) await this.fetchTags();
    return readLocalTags(this.opts.cwd);
  }

  private async fetchTags(): Promise<void> {
    // No FETCH_HEAD and no auto-maintenance: this runs once per attempt and racing writers retry often.
    const r = await git(
      ['-c', 'gc.auto=0', '-c', 'maintenance.auto=false', 'fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.opts.remote!, 'refs/tags/*:refs/tags/*'],
      { cwd: this.opts.cwd, allowFail: true },
    );
    if (r.code !== 0) {
      // A local tag with the same name as a different remote one is kept ("would clobber"); say so.
      if (/would clobber|rejected/.test(r.stderr)) this.log.warning(`some tags of ${this.opts.remote} differ from local tags with the same name: ${r.stderr.trim()}`);
      else throw new UserError(`cannot fetch tags from ${this.opts.remote}: ${r.stderr.trim()}`, { field: 'remote' });
    }
  }

  async resolveCommit(ref: string): Promise<string> {
    const r = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: this.opts.cwd, allowFail: true });
    if (r.code !== 0) throw new UserError(`"${ref}" does not name a commit in ${this.opts.cwd}`, { field: 'ref' });
    return r.stdout.trim();
  }

  async createTag(tag: NewTag): Promise<{ created: boolean }> {
    const { cwd } = this.opts;
    const sha = await makeTagObject(cwd, tag);
    if (this.opts.remote) {
      const push = await git(['push', '--porcelain', this.opts.remote, `${sha}:refs/tags/${tag.name}`], { cwd, allowFail: true });
      if (push.code !== 0) {
        const line = push.stdout.split('\n').find((l) => l.includes(`refs/tags/${tag.name}`)) ?? '';
        // Lost the race. (Had an earlier attempt of ours got through, the remote would hold exactly
        // this object and the push would have succeeded as "up to date".)
        if (line.startsWith('!') || /already exists|rejected|failed to (lock|update)/.test(push.stderr + line)) return { created: false };
        throw new UserError(`cannot push tag ${tag.name} to ${this.opts.remote}: ${push.stderr.trim() || push.stdout.trim()}`, { field: 'remote' });
      }
      return this.adopt(tag.name, sha);
    }
    // An empty old value makes update-ref create-only: the atomic "name is free" check.
    const r = await git(['update-ref', `refs/tags/${tag.name}`, sha, ''], { cwd, allowFail: true });
    if (r.code !== 0) {
      if (/exists/.test(r.stderr)) return { created: false };
      throw new UserError(`cannot create tag ${tag.name}: ${r.stderr.trim()}`);
    }
    return { created: true };
  }

  /** The remote has our tag: make the local ref match (best effort; the remote is the truth). */
  private async adopt(name: string, sha: string): Promise<{ created: true }> {
    const r = await git(['update-ref', `refs/tags/${name}`, sha, ''], { cwd: this.opts.cwd, allowFail: true });
    if (r.code !== 0) this.log.warning(`tag ${name} was pushed but the local ref could not be created: ${r.stderr.trim()}`);
    return { created: true };
  }
}

/** All tags of a repository, annotated ones with their commit, tagger time and message. */
export async function readLocalTags(cwd: string): Promise<RawTag[]> {
  const out = await gitOut(['for-each-ref', `--format=${FORMAT}`, 'refs/tags'], { cwd });
  const fields = out.split('\0');
  const tags: RawTag[] = [];
  for (let i = 0; i + FIELDS.length <= fields.length; i += FIELDS.length) {
    const [ref, type, object, peeled, peeledType, time, tagger, contents] = fields.slice(i, i + FIELDS.length).map((f, k) => (k === 0 ? f.replace(/^\n/, '') : f));
    const name = ref!.replace(/^refs\/tags\//, '');
    if (type !== 'tag') {
      tags.push({ name, annotated: false, commit: type === 'commit' ? object : undefined });
      continue;
    }
    tags.push({
      name,
      annotated: true,
      // A tag of a tag of a commit is peeled by git only one level; such chains are not registry tags.
      commit: peeledType === 'commit' ? peeled : undefined,
      time: time ? Number(time) : undefined,
      tagger: tagger?.trim() || undefined,
      message: contents,
    });
  }
  return tags;
}

/** `Name <email> <time> <tz>` as git would record it, falling back when no identity is configured. */
async function taggerIdent(cwd: string): Promise<string> {
  const r = await git(['var', 'GIT_COMMITTER_IDENT'], { cwd, allowFail: true });
  if (r.code === 0 && r.stdout.trim()) return r.stdout.trim();
  const seconds = Math.floor(Date.now() / 1000);
  return `mlops <mlops@localhost> ${seconds} +0000`;
}

async function makeTagObject(cwd: string, tag: NewTag): Promise<string> {
  const message = tag.message.endsWith('\n') ? tag.message : `${tag.message}\n`;
  const body = `object ${tag.commit}\ntype commit\ntag ${tag.name}\ntagger ${await taggerIdent(cwd)}\n\n${message}`;
  return gitOut(['mktag'], { cwd, input: body });
}

export interface LocalRegistry {
  backend: GitTagBackend;
  /** Top folder of the working tree (where mlops.yml and .gto live). */
  root: string;
  config?: MlopsConfig;
  flow: ReturnType<typeof stageFlow>;
  audit: AuditContext;
}

/** The registry of the repository around `cwd`, as the CLI and the demo use it. */
export async function openLocalRegistry(cwd: string, opts: { remote?: string; log?: Logger } = {}): Promise<LocalRegistry> {
  const top = await git(['rev-parse', '--show-toplevel'], { cwd, allowFail: true });
  if (top.code !== 0) throw new UserError(`${cwd} is not inside a git repository: run mlops in a clone of your project`);
  const root = top.stdout.trim();
  const config = loadConfig(root);
  const name = (await git(['config', 'user.name'], { cwd: root, allowFail: true })).stdout.trim();
  return {
    backend: new GitTagBackend({ cwd: root, remote: opts.remote, log: opts.log }),
    root,
    config,
    flow: stageFlow(config, root),
    audit: { actor: process.env.GITHUB_ACTOR || name || process.env.USER || undefined, runUrl: runUrl() },
  };
}
