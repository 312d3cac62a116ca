/**
 * The whole delivery line, played through the committed dist actions under the runner harness, on
 * embedded backends: the GitHub API fake (backed by real bare git repositories), a loopback OCI
 * registry (Debian's docker-registry, when installed), the @actions/cache fake and a local DVC remote.
 *
 *   experiment PR (report + gate pass) -> worse experiment (gate blocks) -> merge to main (register
 *   v0.0.1, build once, bump dev, promotion PR) -> PR main->staging, promote, re-tag, bump ->
 *   PR staging->production, promote, PR-mode bump -> a second version all the way -> rollback.
 *
 * `npm run demo` prints the timeline and writes demo-out/index.html; test/e2e asserts the final state.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCacheFake, type CacheFake } from '../harness/cache-fake.js';
import { startGitHubFake, type GitHubFake } from '../harness/github-fake/index.js';
import { REGISTRY_BIN, startRegistry, type Registry } from '../harness/registry.js';
import { repoRoot, runAction, type RunOptions, type RunResult } from '../harness/runner.js';
import { makeExampleRepo } from '../fixtures/dvc-repo.js';

const execFileAsync = promisify(execFile);

export const REPO = 'acme/churn';
const TOKEN = 'test-token';

export interface TimelineRow {
  step: string;
  result: string;
  version?: string;
  digest?: string;
  ms: number;
}

export interface PrView {
  number: number;
  title: string;
  head: string;
  base: string;
  state: string;
  /** Report HTML files written by cml-report for this PR (inline SVG plots). */
  reports: string[];
  comments: string[];
  body: string;
  statuses: { context: string; state: string; description: string | null }[];
}

export interface DemoResult {
  timeline: TimelineRow[];
  prs: PrView[];
  tags: string[];
  show: { artifacts: Record<string, { versions: string[]; latest: string | null; stages: Record<string, string> }> };
  envFiles: Record<string, string>;
  /** Environment file of production on its bump PR branch (PR-mode bumps land there). */
  productionBumpBranch?: string;
  deployments: { environment: string; ref: string; statuses: string[] }[];
  images: { digest?: string; tags: string[] };
  registry: boolean;
  invalidRequests: number;
  outDir: string;
}

const MLOPS_YML = (image: string) => `# mlops-actions configuration of the demo project
artifact: churn-model
stages: [dev, staging, production]
branches: { main: dev, staging: staging, production: production }
metrics: [eval/metrics.json]
gates:
  - metric: test.roc_auc
    min: 0.9
    max_drop: 0.01
  - metric: test.avg_prec
    min: 0.85
image:
  name: ${image}
environments:
  dev:        { path: deploy/dev/kustomization.yaml }
  staging:    { path: deploy/staging/kustomization.yaml }
  production: { path: deploy/production/kustomization.yaml, mode: pr }
`;

const KUSTOMIZATION = (env: string, image: string) => `# Argo CD syncs this overlay into the ${env} namespace.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: churn-${env}
resources:
  - ../base
images:
  - name: ${image}
    newTag: "bootstrap" # replaced by bump-env-tag
`;

function git(args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_AUTHOR_NAME: 'Data Scientist', GIT_AUTHOR_EMAIL: 'ds@example.com', GIT_COMMITTER_NAME: 'Data Scientist', GIT_COMMITTER_EMAIL: 'ds@example.com', ...env },
  }).trim();
}

function metricsJson(rocAuc: number, avgPrec: number): string {
  return `${JSON.stringify({ train: { avg_prec: avgPrec + 0.04, roc_auc: rocAuc + 0.03 }, test: { avg_prec: avgPrec, roc_auc: rocAuc } }, null, 4)}\n`;
}

/** A ROC curve whose area follows the metric, so the plots differ visibly between revisions. */
function rocJson(auc: number): string {
  const k = Math.max(0.05, (1 - auc) * 4);
  const roc = Array.from({ length: 41 }, (_, i) => {
    const fpr = i / 40;
    return { fpr: Number(fpr.toFixed(4)), tpr: Number(Math.pow(fpr, k).toFixed(4)), threshold: Number((1 - fpr).toFixed(4)) };
  });
  return `${JSON.stringify({ roc }, null, 2)}\n`;
}

function lossCsv(final: number): string {
  const rows = ['step,loss'];
  for (let s = 0; s <= 50; s++) rows.push(`${s},${(final + 1.5 * Math.exp(-s / 8)).toFixed(4)}`);
  return `${rows.join('\n')}\n`;
}

export async function runLifecycle(opts: { outDir: string; log?: (line: string) => void }): Promise<DemoResult> {
  const log = opts.log ?? (() => {});
  const outDir = opts.outDir;
  rmSync(outDir, { recursive: true, force: true });
  const work = join(outDir, 'work');
  mkdirSync(work, { recursive: true });

  const timeline: TimelineRow[] = [];
  const reportsByPr = new Map<number, string[]>();
  let fake: GitHubFake | undefined;
  let cache: CacheFake | undefined;
  let registry: Registry | undefined;
  try {
    fake = await startGitHubFake();
    cache = await startCacheFake();
    if (existsSync(REGISTRY_BIN)) registry = await startRegistry();
    else log('docker-registry is not installed: image build and re-tag steps are skipped (apt-get install docker-registry)');
    const image = registry ? `${registry.host}/acme/churn` : 'registry.example.com/acme/churn';

    // ---- the project: DVC-tracked data and model in a local remote, metrics, plots, GitOps overlays
    const project = join(work, 'project');
    const { remoteDir } = await makeExampleRepo({ root: project, remoteDir: join(work, 'dvc-remote'), git: false });
    const files: Record<string, string> = {
      'mlops.yml': MLOPS_YML(image),
      'eval/metrics.json': metricsJson(0.9468, 0.9243),
      'eval/plots/sklearn/roc/test.json': rocJson(0.9468),
      'eval/plots/training/loss.csv': lossCsv(0.31),
      'deploy/dev/kustomization.yaml': KUSTOMIZATION('dev', image),
      'deploy/staging/kustomization.yaml': KUSTOMIZATION('staging', image),
      'deploy/production/kustomization.yaml': KUSTOMIZATION('production', image),
    };
    writeFiles(project, files);
    appendPlots(project);
    git(['init', '-q', '-b', 'main'], project);
    git(['add', '-A'], project);
    git(['commit', '-q', '-m', 'Baseline model'], project);
    await fake.createRepo(REPO, { defaultBranch: 'main' });
    const origin = fake.repoPath(REPO);
    git(['push', '-q', origin, 'main', 'main:staging', 'main:production'], project);

    // ---- helpers ------------------------------------------------------------------------------
    const checkout = (ref: string, name: string): string => {
      const dir = join(work, 'checkouts', name);
      git(['clone', '-q', '--no-checkout', origin, dir], work);
      git(['checkout', '-q', '--detach', ref], dir);
      return dir;
    };
    let runNo = 0;
    const act = async (step: string, action: string, o: RunOptions & { expectFail?: boolean }): Promise<RunResult> => {
      const started = Date.now();
      const r = await runAction(action, {
        token: TOKEN,
        apiUrl: fake!.url,
        serverUrl: fake!.serverUrl,
        repository: REPO,
        ...o,
        env: { MLOPS_GITHUB_PACING: 'false', ...cache!.env, GITHUB_RUN_ID: String(1000 + ++runNo), ...o.env },
      });
      const ok = o.expectFail ? r.code !== 0 : r.code === 0;
      if (!ok) {
        const errors = r.annotations.filter((a) => a.level === 'error').map((a) => a.message).join('; ');
        throw new Error(`demo step "${step}" (${action}) ${o.expectFail ? 'should have failed' : `failed: ${errors || r.stderr.slice(-2000)}`}`);
      }
      const row: TimelineRow = { step, result: r.code === 0 ? 'ok' : 'blocked', ms: Date.now() - started };
      timeline.push(row);
      log(`${step.padEnd(44)} ${row.result.padEnd(8)} ${row.ms} ms`);
      return r;
    };
    // Async: the fake answers from this process, so a blocking exec would deadlock against it.
    const cli = async (step: string, args: string[], cwd: string): Promise<string> => {
      const started = Date.now();
      const { stdout: out } = await execFileAsync(process.execPath, [join(repoRoot, 'dist/cli/index.js'), ...args], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: fake!.url, GITHUB_SERVER_URL: fake!.serverUrl, MLOPS_GITHUB_PACING: 'false' },
      });
      let result = out.trim().split('\n')[0]!;
      if (result.startsWith('{')) {
        const j = JSON.parse(result) as { action: string; number?: number; version?: string };
        result = `${j.action}${j.number ? ` #${j.number}` : ''}${j.version ? ` (${j.version})` : ''}`;
      }
      timeline.push({ step, result: result.slice(0, 60), ms: Date.now() - started });
      log(`${step.padEnd(44)} ${result}`);
      return out;
    };
    const pullEvent = async (number: number) => {
      const res = await fetch(`${fake!.url}/repos/${REPO}/pulls/${number}`, { headers: { authorization: `token ${TOKEN}` } });
      const pull = (await res.json()) as { head: { sha: string; ref: string }; base: { ref: string } };
      return { pull, event: { name: 'pull_request', payload: { action: 'synchronize', number, pull_request: pull, repository: { full_name: REPO, name: 'churn', owner: { login: 'acme' } } } } };
    };

    /** An experiment: a branch off main with new metrics/plots, opened as a PR and checked like ml-pr.yml. */
    const experiment = async (branch: string, rocAuc: number, avgPrec: number, expectPass: boolean) => {
      const dir = checkout('origin/main', `${branch.replace('/', '-')}-author`);
      git(['checkout', '-q', '-b', branch], dir);
      writeFiles(dir, {
        'eval/metrics.json': metricsJson(rocAuc, avgPrec),
        'eval/plots/sklearn/roc/test.json': rocJson(rocAuc),
        'eval/plots/training/loss.csv': lossCsv(0.31 - (rocAuc - 0.9468)),
      });
      git(['commit', '-q', '-am', `Experiment ${branch}`], dir);
      git(['push', '-q', 'origin', branch], dir);
      const { number } = await fake!.createPull(REPO, { head: branch, base: 'main', title: `Experiment ${branch}` });
      return checkPr(number, 'main', expectPass);
    };

    /** What ml-pr.yml does on a pull request: flow guard, dvc-pull, cml-report, metric-gate. */
    const checkPr = async (number: number, base: string, expectPass = true) => {
      const { pull, event } = await pullEvent(number);
      const ws = checkout(pull.head.sha, `pr-${number}-${runNo}`);
      await cli(`#${number} flow guard ${pull.head.ref} -> ${base}`, ['check-pr', '--from', pull.head.ref, '--into', base], ws);
      const common = { workspace: ws, event, sha: pull.head.sha, ref: `refs/pull/${number}/merge` };
      await act(`#${number} dvc-pull`, 'dvc-pull', common);
      const report = await act(`#${number} cml-report`, 'cml-report', { ...common, inputs: { 'baseline-ref': base, 'report-path': `mlops-report/pr-${number}.md` } });
      const html = report.outputs['report-path']!.replace(/\.md$/, '.html');
      reportsByPr.set(number, [...(reportsByPr.get(number) ?? []), readFileSync(html, 'utf8')]);
      const gate = await act(`#${number} metric-gate`, 'metric-gate', { ...common, inputs: { 'baseline-ref': base }, expectFail: !expectPass });
      return { number, gate };
    };

    const merge = async (number: number): Promise<string> => {
      const res = await fetch(`${fake!.url}/repos/${REPO}/pulls/${number}/merge`, {
        method: 'PUT',
        headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ merge_method: 'merge' }),
      });
      if (!res.ok) throw new Error(`merge #${number}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { sha: string }).sha;
    };

    let firstDigest: string | undefined;
    const pushEvent = (branch: string, sha: string) => ({ name: 'push', payload: { ref: `refs/heads/${branch}`, after: sha, repository: { full_name: REPO, name: 'churn', owner: { login: 'acme' } }, pusher: { name: 'maintainer' } } });

    /** What ml-promote.yml does on a push to main: register, build once, promote dev, bump dev, promotion PR. */
    const onMain = async (sha: string) => {
      const ws = checkout(sha, `main-${sha.slice(0, 7)}`);
      const common = { workspace: ws, event: pushEvent('main', sha), sha, ref: 'refs/heads/main' };
      await act('main: dvc-pull', 'dvc-pull', common);
      const reg = await act('main: register-model', 'register-model', { ...common, inputs: { ref: sha, metrics: 'eval/metrics.json' } });
      const version = reg.outputs.version!;
      let digest: string | undefined;
      if (registry) {
        const img = await act('main: build-image (oci, once)', 'build-image', {
          ...common,
          inputs: { mode: 'oci', image, base: 'scratch', add: 'model.pkl:/app/model.pkl\nsrc:/app/src\nparams.yaml:/app/params.yaml', version, insecure: true, cmd: '["python", "/app/src/serve.py"]' },
        });
        digest = img.outputs.digest;
        firstDigest ??= digest;
      }
      await act('main: promote-stage dev', 'promote-stage', { ...common, inputs: { stage: 'dev', version, 'image-digest': digest ?? '', metrics: 'eval/metrics.json' } });
      await act('main: bump-env-tag dev', 'bump-env-tag', { ...common, inputs: { environment: 'dev', image, tag: version, digest: digest ?? '', version } });
      Object.assign(timeline.at(-1)!, { version, digest });
      await cli('main: promotion PR -> staging', ['promotion-pr', '--into', 'staging', '--json'], ws);
      return { version, digest };
    };

    /** ml-promote.yml on a push to a later stage branch: promote the previous stage's version, re-tag, bump. */
    const onStage = async (branch: string, stage: string, sha: string, next?: string) => {
      const ws = checkout(sha, `${branch}-${sha.slice(0, 7)}-${runNo}`);
      const common = { workspace: ws, event: pushEvent(branch, sha), sha, ref: `refs/heads/${branch}` };
      const prom = await act(`${stage}: promote-stage`, 'promote-stage', { ...common, inputs: { stage } });
      const version = prom.outputs.version!;
      const digest = await digestOf(version);
      if (registry && digest) {
        await act(`${stage}: build-image re-tag (same digest)`, 'build-image', { ...common, inputs: { mode: 'oci', image, source: `${image}@${digest}`, tags: `${version}\n${stage}`, insecure: true } });
      }
      const bump = await act(`${stage}: bump-env-tag`, 'bump-env-tag', { ...common, inputs: { environment: stage, image, tag: version, digest: digest ?? '', version } });
      Object.assign(timeline.at(-1)!, { version, digest, result: bump.outputs['pr-url'] ? `bump PR ${bump.outputs['pr-url']}` : 'ok' });
      if (next) await cli(`${stage}: promotion PR -> ${next}`, ['promotion-pr', '--into', next, '--json'], ws);
      return { version, digest, bump };
    };

    const digestOf = async (version: string): Promise<string | undefined> => {
      if (!registry) return undefined;
      const res = await fetch(`${registry.url}/v2/acme/churn/manifests/${version}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } });
      return res.headers.get('docker-content-digest') ?? undefined;
    };

    const promotionPr = (base: string) => fake!.pulls(REPO).find((p) => p.state === 'open' && p.pull?.baseRef === base && p.labels.includes('promotion'));

    // ---- the story -----------------------------------------------------------------------------
    const good = await experiment('experiment/more-trees', 0.9561, 0.9318, true);
    await experiment('experiment/tiny-vocab', 0.8712, 0.8104, false);
    await onMain(await merge(good.number));

    const toStaging = promotionPr('staging');
    if (!toStaging) throw new Error('no promotion PR into staging was opened');
    await checkPr(toStaging.number, 'staging');
    await onStage('staging', 'staging', await merge(toStaging.number), 'production');

    const toProd = promotionPr('production');
    if (!toProd) throw new Error('no promotion PR into production was opened');
    await checkPr(toProd.number, 'production');
    await onStage('production', 'production', await merge(toProd.number));

    // A second version all the way to production, then a rollback of production.
    const second = await experiment('experiment/calibrated', 0.9602, 0.9355, true);
    await onMain(await merge(second.number));
    const staging2 = promotionPr('staging')!;
    await onStage('staging', 'staging', await merge(staging2.number), 'production');
    const prod2 = promotionPr('production')!;
    const { bump: prodBump } = await onStage('production', 'production', await merge(prod2.number));

    const prodHead = (await fake.resolve(REPO, 'production'))!;
    const rbWs = checkout(prodHead, 'rollback');
    const rb = await act('production: rollback (ml-rollback.yml)', 'promote-stage', {
      workspace: rbWs,
      event: { name: 'workflow_dispatch', payload: { inputs: { artifact: 'churn-model', stage: 'production' } } },
      sha: prodHead,
      ref: 'refs/heads/production',
      inputs: { stage: 'production', rollback: true, reason: 'latency regression seen in production' },
    });
    const rbVersion = rb.outputs.version!;
    const rbDigest = await digestOf(rbVersion);
    await act('production: bump back', 'bump-env-tag', {
      workspace: rbWs,
      sha: prodHead,
      ref: 'refs/heads/production',
      inputs: { environment: 'production', image, tag: rbVersion, digest: rbDigest ?? '', version: rbVersion },
    });
    Object.assign(timeline.at(-1)!, { version: rbVersion, digest: rbDigest });

    // ---- final state ----------------------------------------------------------------------------
    const final = checkout('origin/main', 'final');
    git(['fetch', '-q', 'origin', '+refs/tags/*:refs/tags/*', '+refs/heads/*:refs/remotes/origin/*'], final);
    const show = JSON.parse((await execFileAsync(process.execPath, [join(repoRoot, 'dist/cli/index.js'), 'show', '--json'], { cwd: final, encoding: 'utf8' })).stdout);
    const tags = git(['tag', '--list'], final).split('\n').filter(Boolean);
    const envFiles: Record<string, string> = {};
    for (const env of ['dev', 'staging', 'production']) envFiles[env] = git(['show', `origin/main:deploy/${env}/kustomization.yaml`], final);
    const bumpBranch = git(['branch', '-r', '--list', 'origin/bump/production/*'], final).split('\n')[0]?.trim();
    const productionBumpBranch = bumpBranch ? git(['show', `${bumpBranch}:deploy/production/kustomization.yaml`], final) : undefined;
    void prodBump;

    const prs: PrView[] = fake.pulls(REPO).map((p) => ({
      number: p.number,
      title: p.title,
      head: p.pull?.headRef ?? '',
      base: p.pull?.baseRef ?? '',
      state: p.pull?.merged ? 'merged' : p.state,
      reports: reportsByPr.get(p.number) ?? [],
      comments: fake!.comments(REPO, p.number).map((c) => c.body ?? ''),
      body: p.body ?? '',
      statuses: p.pull ? fake!.statuses(REPO, p.pull.headSha).map((s) => ({ context: s.context, state: s.state, description: s.description })) : [],
    }));
    const deployments = fake.deployments(REPO).map((d) => ({
      environment: d.environment,
      ref: d.ref,
      statuses: (d.statuses ?? []).map((s: { state: string }) => s.state),
    }));
    void remoteDir;
    return {
      timeline,
      prs,
      tags,
      show,
      envFiles,
      productionBumpBranch,
      deployments,
      images: { digest: firstDigest, tags: registry ? await registryTags(registry) : [] },
      registry: Boolean(registry),
      invalidRequests: fake.invalid.length,
      outDir,
    };
  } finally {
    await fake?.close();
    await cache?.close();
    await registry?.stop();
  }
}

async function registryTags(registry: Registry): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/acme/churn/tags/list`);
  return ((await res.json()) as { tags: string[] }).tags.sort();
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** The example project's dvc.yaml `plots:` gains a training-loss curve (a path with properties). */
function appendPlots(project: string): void {
  const path = join(project, 'dvc.yaml');
  const text = readFileSync(path, 'utf8');
  if (!/\nplots:\n/.test(text)) throw new Error('the example dvc.yaml has no plots: list');
  writeFileSync(path, `${text.trimEnd()}\n- eval/plots/training/loss.csv:\n    x: step\n    y: loss\n    template: linear\n    title: Training loss\n`);
}
