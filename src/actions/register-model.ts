/**
 * register-model: create the next version tag (`<artifact>@vX.Y.Z`, GTO format) at a commit through the
 * GitHub API, or return the version that commit already has.
 */
import { actionLogger, input, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { UserError } from '../lib/errors.js';
import { registryActionSetup } from '../lib/registry/action-setup.js';
import { parseBump, registerVersion } from '../lib/registry/index.js';

await runAction(async () => {
  const { artifact, backend, audit } = registryActionSetup({
    token: secretInput('github-token'),
    workingDirectory: input('working-directory'),
    configPath: input('config-path'),
    artifact: input('artifact'),
    repository: input('repository'),
    metrics: input('metrics'),
    imageDigest: input('image-digest'),
    logger: actionLogger,
  });
  const ref = input('ref') || process.env.GITHUB_SHA;
  if (!ref) throw new UserError('Input ref is empty and GITHUB_SHA is not set', { field: 'ref' });
  const bump = input('bump');
  const version = input('version');

  const result = await registerVersion(backend, {
    artifact,
    ref,
    version: version || undefined,
    bump: bump ? parseBump(bump) : undefined,
    audit,
    log: actionLogger,
  });

  output('version', result.version);
  output('tag', result.tag);
  output('commit', result.commit);
  output('created', result.created);
  await summary(
    result.created
      ? `Registered **${artifact} ${result.version}** at \`${result.commit.slice(0, 12)}\` (tag \`${result.tag}\`)\n`
      : `**${artifact} ${result.version}** was already registered at \`${result.commit.slice(0, 12)}\` (tag \`${result.tag}\`)\n`,
  );
});
