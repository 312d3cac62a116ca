/** `mlops init`: scaffold the caller workflows, mlops.yml and a GitOps overlay example into a repo. */
import { resolve } from 'node:path';
import { initRepository, TEMPLATE_REF, TEMPLATE_TOOLKIT, type TemplateKind } from '../../lib/setup/init.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops init [--dir <repo>] [--toolkit <owner/name>] [--ref <sha>] [--only <kinds>] [--force] [--dry-run]

Copies the starter files into a repository (default: the current folder) and asks nothing:
  .github/workflows/mlops-pr.yml, mlops-pr-fork.yml, mlops-promote.yml, mlops-rollback.yml
  mlops.yml                      artifact, stages, gates, image, environments (edit it)
  deploy/                        a kustomize base and one overlay per environment
Files already identical are left alone. A file that exists with other content is not overwritten:
the command names every such file and writes nothing, unless --force is given.
  --toolkit owner/name   the mlops-actions repository the workflows call (default ${TEMPLATE_TOOLKIT})
  --ref <sha>            pin the workflows to this commit of it (default @${TEMPLATE_REF}; pin it)
  --only <kinds>         only workflows, config and/or deploy (comma separated), e.g. to re-pin:
                         mlops init --only workflows --ref <sha> --force
  --templates <dir>      use another templates folder
  --dry-run              print what would be written`;

export const init: Command = {
  name: 'init',
  summary: 'scaffold the mlops workflows, mlops.yml and a GitOps overlay into a repository',
  usage,
  async run(argv) {
    const { values } = parse(
      argv,
      {
        dir: { type: 'string' },
        toolkit: { type: 'string' },
        ref: { type: 'string' },
        templates: { type: 'string' },
        only: { type: 'string' },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
      },
      usage,
      false,
    );
    const dir = resolve(values.dir ?? '.');
    const result = initRepository({
      dir,
      toolkit: values.toolkit,
      ref: values.ref,
      templatesDir: values.templates,
      force: values.force,
      dryRun: values['dry-run'],
      only: values.only?.split(',').map((k) => k.trim() as TemplateKind).filter(Boolean),
    });
    const verb = { create: 'created', unchanged: 'unchanged', overwrite: 'overwrote' } as const;
    const dry = { create: 'would create', unchanged: 'unchanged', overwrite: 'would overwrite' } as const;
    for (const f of result.files) process.stdout.write(`${(values['dry-run'] ? dry : verb)[f.action].padEnd(15)} ${f.target}\n`);
    if (!values.ref) {
      process.stdout.write(`\nPin the workflows: mlops init --only workflows --force --ref <commit sha of ${values.toolkit ?? TEMPLATE_TOOLKIT}>\n`);
    }
    process.stdout.write('Next: edit mlops.yml (artifact, gates, image, environments), then run mlops protect --repo <owner/name>.\n');
    return 0;
  },
};
