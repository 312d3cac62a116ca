/**
 * Model registry: `mlops show` over a repository with 5,000 registry tags (target under 1 s), and the
 * number of GitHub API calls one promote makes at 10 vs 1,000 tags on the API fake (target: constant
 * apart from the paginated listings of refs and tags, i.e. +1 call per 100 tags).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GitTagBackend } from '../src/lib/git/tags.js';
import { createOctokit } from '../src/lib/github/octokit.js';
import { silentLogger } from '../src/lib/log.js';
import { defaultFlow } from '../src/lib/promotion.js';
import { GitHubTagBackend, promoteVersion, readState, showJson } from '../src/lib/registry/index.js';
import { startGitHubFake } from '../test/harness/github-fake/index.js';
import { makeTempDir, removeTempDir } from '../test/harness/tmp.js';
import type { BenchRow } from './types.js';

const root = join(import.meta.dirname, '..');
const TAGS = 5_000;
const VERSIONS = 1_000;
const STAGES = ['dev', 'staging', 'production'];
const ms = (x: number) => `${x.toFixed(0)} ms`;

/**
 * One fast-import stream: VERSIONS commits each registered (`m@v0.0.N`, no counter, as GTO registers),
 * then assignments `m#<stage>#N` cycling through the versions and stages until TAGS tags exist.
 */
function registryStream(): string {
  const parts: string[] = [];
  const t0 = 1_700_000_000;
  for (let i = 1; i <= VERSIONS; i++) {
    const msg = `train ${i}\n`;
    parts.push(`commit refs/heads/main\nmark :${i}\ncommitter B <b@example.com> ${t0 + i} +0000\ndata ${msg.length}\n${msg}\n`);
  }
  const tag = (name: string, mark: number, msg: string, time: number) =>
    `tag ${name}\nfrom :${mark}\ntagger B <b@example.com> ${time} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\n`;
  for (let i = 1; i <= VERSIONS; i++) parts.push(tag(`m@v0.0.${i}`, i, `Registering artifact m version v0.0.${i}\n`, t0 + i));
  for (let n = 1; n <= TAGS - VERSIONS; n++) {
    const v = ((n - 1) % VERSIONS) + 1;
    const stage = STAGES[n % STAGES.length]!;
    parts.push(tag(`m#${stage}#${n}`, v, `Assigning stage ${stage} to artifact m version v0.0.${v}\n`, t0 + VERSIONS + n));
  }
  return parts.join('');
}

async function showBench(): Promise<BenchRow[]> {
  const dir = await makeTempDir('bench-registry-');
  try {
    execFileSync('git', ['init', '-q', '-b', 'main', dir]);
    execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: registryStream(), maxBuffer: 1 << 28 });
    const count = execFileSync('git', ['tag', '-l'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean).length;

    // In-process: read every tag and compute the state (the library part of `mlops show`).
    const backend = new GitTagBackend({ cwd: dir });
    let best = Infinity;
    let doc = showJson({ artifacts: new Map() });
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      doc = showJson(await readState(backend));
      best = Math.min(best, performance.now() - t);
    }
    const rows: BenchRow[] = [
      { what: `registry state over ${count} tags (read + compute, in process)`, figure: ms(best), target: '< 1 s' },
    ];
    if (doc.artifacts.m?.versions.length !== VERSIONS) throw new Error(`expected ${VERSIONS} versions, got ${doc.artifacts.m?.versions.length}`);

    // The command as a user runs it: node + the CLI bundle, against `node -e 0`.
    const cli = join(root, 'dist/cli/index.js');
    if (existsSync(cli)) {
      const time = (args: string[]) => {
        let b = Infinity;
        for (let i = 0; i < 3; i++) {
          const t = performance.now();
          execFileSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
          b = Math.min(b, performance.now() - t);
        }
        return b;
      };
      const show = time([cli, 'show', '--json']);
      // The CLI's fixed start-up (loading the whole bundle) is the floor for any mlops command.
      const help = time([cli, '--help']);
      const node = time(['-e', '0']);
      rows.push({
        what: `mlops show --json over ${count} tags (node + CLI bundle)`,
        figure: ms(show),
        baseline: `${ms(help)} (mlops --help; node -e 0: ${ms(node)})`,
        ratio: `${(show / help).toFixed(2)}x`,
        target: '< 1 s',
      });
    }
    return rows;
  } finally {
    await removeTempDir(dir);
  }
}

async function apiCallsBench(): Promise<BenchRow[]> {
  const fake = await startGitHubFake();
  try {
    const calls = async (n: number) => {
      const repo = `acme/r${n}`;
      await fake.createRepo(repo, { files: { 'a.txt': '0\n' } });
      const sha = await fake.commit(repo, 'main', { 'a.txt': '1\n' });
      let stream = '';
      for (let i = 1; i <= n; i++) {
        const name = i === 1 ? 'm@v0.0.1' : `m#dev#${i}`;
        const msg = i === 1 ? 'Registering artifact m version v0.0.1\n' : 'Assigning stage dev to artifact m version v0.0.1\n';
        stream += `tag ${name}\nfrom ${sha}\ntagger B <b@example.com> ${1_700_000_000 + i} +0000\ndata ${msg.length}\n${msg}\n`;
      }
      execFileSync('git', ['fast-import', '--quiet'], { cwd: fake.repoPath(repo), input: stream });
      const octokit = createOctokit({ token: 'test-token', baseUrl: fake.url, pacing: false, logger: silentLogger });
      fake.clearLog();
      await promoteVersion(new GitHubTagBackend(octokit, { owner: 'acme', repo: `r${n}` }), { artifact: 'm', stage: 'staging', flow: defaultFlow(), version: 'v0.0.1' });
      return fake.requests.length;
    };
    const small = await calls(10);
    const large = await calls(1_000);
    return [
      {
        what: 'GitHub API calls per promote, 1,000 tags (fake)',
        figure: String(large),
        baseline: `${small} (10 tags)`,
        ratio: `${(large / small).toFixed(2)}x`,
        target: 'constant + 1 per 100 tags (paginated listings)',
      },
    ];
  } finally {
    await fake.close();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  return [...(await showBench()), ...(await apiCallsBench())];
}
