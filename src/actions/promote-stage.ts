/**
 * promote-stage: assign a stage to a version (`<artifact>#<stage>#<N>`, GTO format) through the GitHub
 * API, only if the version holds the stage just before (unless forced with a reason), or roll a stage
 * back to the version that held it before.
 */
import { actionLogger, boolInput, input, output, runAction, secretInput, summary } from '../lib/actions-io.js';
import { stageFlow } from '../lib/promotion.js';
import { registryActionSetup } from '../lib/registry/action-setup.js';
import { promoteVersion } from '../lib/registry/index.js';

await runAction(async () => {
  const { cwd, config, artifact, backend, audit } = registryActionSetup({
    token: secretInput('github-token'),
    workingDirectory: input('working-directory'),
    configPath: input('config-path'),
    artifact: input('artifact'),
    repository: input('repository'),
    metrics: input('metrics'),
    imageDigest: input('image-digest'),
    logger: actionLogger,
  });
  const stage = input('stage', { required: true });
  const version = input('version');
  const ref = input('ref');
  const force = boolInput('force', false);
  const rollback = boolInput('rollback', false);
  const reason = input('reason');

  const result = await promoteVersion(backend, {
    artifact,
    stage,
    flow: stageFlow(config, cwd),
    version: version || undefined,
    ref: ref || undefined,
    force,
    reason: reason || undefined,
    rollback,
    audit,
    log: actionLogger,
  });

  output('stage', result.stage);
  output('version', result.version);
  output('tag', result.tag);
  output('commit', result.commit);
  output('previous-version', result.previousVersion ?? '');
  output('created', result.created);
  const was = result.previousVersion ? ` (was ${result.previousVersion})` : '';
  await summary(
    result.created
      ? `${rollback ? 'Rolled back' : 'Promoted'} **${artifact} ${result.version}** to **${stage}**${was}: tag \`${result.tag}\`${force ? ` — forced: ${reason}` : ''}\n`
      : `**${artifact} ${result.version}** is already in **${stage}** (tag \`${result.tag}\`)\n`,
  );
});
