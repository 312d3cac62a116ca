/** `mlops bump`: set an image in a GitOps file, byte-exactly; optionally commit, or push through a worktree. */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { loadConfig } from '../../lib/config.js';
import { UserError } from '../../lib/errors.js';
import { git, gitOut } from '../../lib/git/cli.js';
import { LocalGitBackend } from '../../lib/git/worktree.js';
import { stderrLogger } from '../../lib/log.js';
import { bumpEnvironment, commitMessage, defaultApp } from '../../lib/gitops/bump.js';
import { editImage } from '../../lib/gitops/edit.js';
import { resolveBump } from '../../lib/gitops/environment.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops bump <file> --format kustomize|helm|argocd|flux --image <name> [--new-name <n>]
                  [--tag <t>] [--digest sha256:<hex>] [--create] [--policy <ns>:<policy>] [--commit]
       mlops bump --env <env> [<file>] [--image <name>] [--tag <t>] [--digest ...] [--commit]
       mlops bump --env <env> --tag <t> --push [--remote origin] [--branch <b>] [--mode direct|pr] [--version vX.Y.Z]

Edits <file> in place, keeping every other byte (comments, order, quoting), and prints "changed" or
"unchanged". --commit commits the file in the enclosing git repository. With mlops.yml, --env takes
the file, format, image name and options from environments.<env> (and --image defaults to image.name).
--push instead commits on the remote branch through a temporary worktree (fast-forward only, retried
when the branch moves); --mode pr pushes bump/<env>/<app> for a pull request.`;

export const bump: Command = {
  name: 'bump',
  summary: 'set an image name/tag/digest in a kustomize, Helm, Argo CD or Flux file',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        env: { type: 'string' },
        format: { type: 'string' },
        image: { type: 'string' },
        'new-name': { type: 'string' },
        tag: { type: 'string' },
        digest: { type: 'string' },
        create: { type: 'boolean' },
        policy: { type: 'string' },
        commit: { type: 'boolean' },
        push: { type: 'boolean' },
        remote: { type: 'string' },
        branch: { type: 'string' },
        mode: { type: 'string' },
        version: { type: 'string' },
      },
      usage,
    );
    if (positionals.length > 1) throw new UserError(`one file at a time\n${usage}`);
    if (!positionals[0] && !values.env) throw new UserError(`missing <file> (or --env <env>)\n${usage}`);
    if (values.commit && values.push) throw new UserError('--commit edits and commits the local file; --push commits on the remote branch: pick one');
    const cwd = process.cwd();
    const config = loadConfig(cwd);
    const r = resolveBump(
      config,
      {
        env: values.env,
        image: values.image,
        newName: values['new-name'],
        tag: values.tag,
        digest: values.digest,
        path: positionals[0],
        format: values.format,
        branch: values.branch,
        mode: values.mode,
        create: values.create,
        policy: values.policy,
      },
      // Format guessing looks for Flux markers in the file when no format is given.
      (p) => {
        try {
          return readFileSync(resolve(cwd, p), 'utf8');
        } catch {
          return undefined;
        }
      },
    );

    if (values.push) {
      const top = await gitOut(['rev-parse', '--show-toplevel'], { cwd }).catch(() => {
        throw new UserError('--push needs a git repository');
      });
      const backend = new LocalGitBackend({ repoDir: top, remote: values.remote ?? 'origin', logger: stderrLogger });
      const res = await bumpEnvironment(
        backend,
        {
          env: r.env || 'env',
          app: r.app,
          path: relative(top, resolve(cwd, r.path)),
          format: r.format,
          update: r.update,
          edit: r.edit,
          mode: r.mode,
          branch: r.branch,
          version: values.version,
        },
        undefined,
        stderrLogger,
      );
      process.stdout.write(`${res.changed ? 'changed' : 'unchanged'}\n`);
      return 0;
    }

    const file = resolve(cwd, r.path);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    let top: string | undefined;
    if (values.commit) {
      top = await gitOut(['rev-parse', '--show-toplevel'], { cwd }).catch(() => {
        throw new UserError(`--commit: ${r.path} is not inside a git repository`, { file: r.path });
      });
      const dirty = await gitOut(['status', '--porcelain', '--', file], { cwd: top });
      if (dirty) throw new UserError(`${r.path} has uncommitted changes; commit or discard them before bumping with --commit`, { file: r.path });
    }
    const result = editImage(r.format, text, r.path, r.update, r.edit);
    if (result.changed) {
      await writeFile(file, result.content);
      if (top) {
        const msg = commitMessage({ env: r.env || 'local', path: r.path, format: r.format, update: r.update, mode: 'direct', version: values.version }, r.app ?? defaultApp(r.update), result.from, result.to);
        await git(['add', '--', file], { cwd: top });
        await git(['commit', '-q', '-m', msg, '--', file], { cwd: top });
      }
    }
    stderrLogger.info(result.changed ? `${r.path}: ${result.from ?? '(new entry)'} -> ${result.to}` : `${r.path}: already ${result.to}`);
    process.stdout.write(`${result.changed ? 'changed' : 'unchanged'}\n`);
    return 0;
  },
};
