/** `mlops register <artifact>`: tag the next version (or a given one) at a commit. */
import { UserError } from '../../lib/errors.js';
import { openLocalRegistry } from '../../lib/git/tags.js';
import { stderrLogger } from '../../lib/log.js';
import { parseBump, readMetricsSnapshot, registerVersion } from '../../lib/registry/index.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops register <artifact> [--version vX.Y.Z | --bump major|minor|patch] [--ref <commit-ish>]
                      [--metrics <json|file>] [--image-digest <sha256:...>] [--remote <name>] [--json]

Registers a version of the artifact at a commit (default HEAD) with an annotated tag <artifact>@vX.Y.Z,
as \`gto register\` does. Without --version the latest version is bumped (patch by default). If the
commit already has a version, that version is printed and nothing is written. With --remote the tag
is pushed there (and tags are fetched from there first).`;

export const register: Command = {
  name: 'register',
  summary: 'register the next version of an artifact at a commit',
  usage,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        version: { type: 'string' },
        bump: { type: 'string' },
        ref: { type: 'string' },
        metrics: { type: 'string' },
        'image-digest': { type: 'string' },
        remote: { type: 'string' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const reg = await openLocalRegistry(process.cwd(), { remote: values.remote, log: stderrLogger });
    const artifact = positionals[0] ?? reg.config?.artifact;
    if (!artifact) throw new UserError(`missing <artifact> (and no mlops.yml with \`artifact:\`)\n${usage}`);
    const result = await registerVersion(reg.backend, {
      artifact,
      ref: values.ref ?? 'HEAD',
      version: values.version,
      bump: values.bump !== undefined ? parseBump(values.bump, '--bump') : undefined,
      audit: { ...reg.audit, metrics: readMetricsSnapshot(values.metrics, process.cwd(), '--metrics'), imageDigest: values['image-digest'] },
      log: stderrLogger,
    });
    process.stdout.write(
      values.json
        ? JSON.stringify(result) + '\n'
        : `${result.created ? 'Created' : 'Exists:'} ${result.tag} (${result.artifact} ${result.version} at ${result.commit.slice(0, 12)})\n`,
    );
    return 0;
  },
};
