/** `mlops image push|retag`: the daemonless oci mode of build-image, for scripts and the demo. */
import { UserError } from '../../lib/errors.js';
import { buildImage, parseCmd } from '../../lib/image/index.js';
import { envCredentials } from '../../lib/image/credentials.js';
import { localSource, parseKeyValues } from '../../lib/image/metadata.js';
import { stderrLogger } from '../../lib/log.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const usage = `usage: mlops image push --to <registry/name> --base <ref> --add <src>[:<dest>] ... [--tag t ...]
                         [--label k=v ...] [--version v] [--env K=V ...] [--cmd <json|shell>]
                         [--platform os/arch] [--insecure] [--json]
       mlops image retag <registry/name>@<digest> --tag t ... [--insecure] [--json]

push   appends each --add path as one reproducible layer to the base image (or "scratch") and pushes
       it over the registry API (no Docker daemon). Tags default to sha-<7> and the full sha of HEAD;
       org.opencontainers.image.* labels come from HEAD (created = commit time) and the origin remote.
retag  puts the manifest of name@digest under new tags: no rebuild, no blob upload. A --tag written as
       registry/other:tag copies into that repository (blobs mounted on the same registry).

  --insecure   plain http, for loopback registries (127.0.0.1:5000)
  --json       print {"digest", "image", "tags"} instead of name@digest
Credentials: MLOPS_REGISTRY_USERNAME / MLOPS_REGISTRY_PASSWORD, else docker's config.json (auths).`;

const options = {
  to: { type: 'string' },
  base: { type: 'string' },
  add: { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  label: { type: 'string', multiple: true },
  version: { type: 'string' },
  env: { type: 'string', multiple: true },
  cmd: { type: 'string' },
  platform: { type: 'string' },
  insecure: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const image: Command = {
  name: 'image',
  summary: 'push an image with layers added to a base (no Docker daemon), or re-tag a digest',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const { values, positionals } = parse(rest, options, usage);
    const cwd = process.cwd();
    const common = {
      labels: parseKeyValues(values.label ?? [], '--label'),
      tags: values.tag ?? [],
      version: values.version,
      insecure: values.insecure ?? false,
      credentials: envCredentials(process.env),
      cwd,
      logger: stderrLogger,
    };
    let result;
    if (sub === 'push') {
      if (positionals.length) throw new UserError(`unexpected argument "${positionals[0]}"\n${usage}`);
      if (!values.to) throw new UserError(`--to <registry/name> is required\n${usage}`, { field: '--to' });
      if (!values.base) throw new UserError(`--base <ref> (or --base scratch) is required\n${usage}`, { field: '--base' });
      result = await buildImage({
        ...common,
        mode: 'oci',
        image: values.to,
        base: values.base,
        add: values.add ?? [],
        env: values.env,
        cmd: parseCmd(values.cmd ?? '', '--cmd'),
        platform: values.platform,
        sourceInfo: await localSource(cwd),
      });
    } else if (sub === 'retag') {
      const [source, ...extra] = positionals;
      if (!source || extra.length) throw new UserError(`retag takes exactly one <registry/name>@<digest>\n${usage}`);
      if (!source.includes('@')) throw new UserError(`${source}: give the image by digest (name@sha256:...) so the promoted bytes are pinned`, { field: 'source' });
      result = await buildImage({ ...common, mode: 'oci', image: '', add: [], source, sourceInfo: {} });
    } else {
      throw new UserError(`unknown subcommand "${sub ?? ''}": use push or retag\n${usage}`);
    }
    process.stdout.write(values.json ? `${JSON.stringify({ digest: result.digest, image: result.image, tags: result.tags })}\n` : `${result.image}\n`);
    return 0;
  },
};
