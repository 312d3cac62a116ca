/**
 * build-image: build+push (docker or daemonless oci mode) or re-tag an existing digest; outputs the
 * digest, the immutable `name@digest` reference and the tags.
 */
import { join, resolve } from 'node:path';
import { actionLogger, boolInput, input, listInput, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { loadConfig } from '../lib/config.js';
import { UserError } from '../lib/errors.js';
import { buildImage, type Mode, parseCmd } from '../lib/image/index.js';
import { githubSource, parseKeyValues } from '../lib/image/metadata.js';

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

await runAction(async () => {
  const mode = input('mode') || 'auto';
  if (!['auto', 'docker', 'oci'].includes(mode)) throw new UserError(`Input mode must be auto, docker or oci, got "${mode}"`, { field: 'mode' });
  const username = input('username');
  const password = secretInput('password');
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const cwd = join(workspace, input('working-directory') || '.');
  // mlops.yml `image:` supplies what the inputs leave empty (inputs win).
  const cfg = loadConfig(cwd, input('config-path') || 'mlops.yml')?.image;
  const context = input('context') || cfg?.context || '.';
  const dockerfile = input('dockerfile') || cfg?.dockerfile;
  const add = listInput('add');

  const result = await buildImage({
    mode: mode as Mode,
    image: input('image') || cfg?.name || '',
    base: input('base') || cfg?.base || undefined,
    add: add.length ? add : (cfg?.add ?? []),
    context: resolve(cwd, context),
    dockerfile: dockerfile ? resolve(cwd, dockerfile) : undefined,
    tags: listInput('tags'),
    version: input('version') || undefined,
    labels: parseKeyValues(lines(input('labels')), 'labels'),
    env: lines(input('env')),
    cmd: parseCmd(input('cmd'), 'cmd'),
    platform: input('platform') || cfg?.platform || 'linux/amd64',
    credentials: username || password ? { username, password } : undefined,
    insecure: boolInput('insecure', false),
    source: input('source') || undefined,
    cwd,
    sourceInfo: await githubSource(process.env, cwd),
    logger: actionLogger,
  });

  output('digest', result.digest);
  output('image', result.image);
  output('tags', result.tags.join(','));
  await summary(
    `### Image ${result.mode === 'retag' ? 're-tagged' : 'pushed'}\n\n` +
      `\`${result.image}\`\n\n| tag |\n|---|\n${result.tags.map((t) => `| \`${t}\` |`).join('\n')}\n`,
  );
});
