/** `mlops history <artifact>`: every registry event of an artifact, oldest first, with its audit record. */
import { openLocalRegistry } from '../../lib/git/tags.js';
import { stderrLogger } from '../../lib/log.js';
import { assertArtifact, parseTagMessage, readState } from '../../lib/registry/index.js';
import { UserError } from '../../lib/errors.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';
import { table } from './show.js';

const usage = `usage: mlops history <artifact> [--json] [--remote <name>]

Lists the registry events of an artifact in order (registrations, assignments, deregistrations,
deprecations) with the commit, time, tagger and the audit record of the tag message.`;

export const history: Command = {
  name: 'history',
  summary: 'list the registry events of an artifact, oldest first',
  usage,
  async run(argv) {
    const { values, positionals } = parse(argv, { json: { type: 'boolean' }, remote: { type: 'string' } }, usage);
    const artifact = positionals[0];
    if (!artifact) throw new UserError(`missing <artifact>\n${usage}`);
    assertArtifact(artifact);
    const reg = await openLocalRegistry(process.cwd(), { remote: values.remote, log: stderrLogger });
    const art = (await readState(reg.backend, artifact, stderrLogger)).artifacts.get(artifact);
    if (!art) throw new UserError(`no registry tags for artifact ${artifact}`);
    const events = art.events.map((e) => {
      const { title, audit } = parseTagMessage(e.message);
      return {
        event: e.action,
        tag: e.tag,
        version: e.version ?? null,
        stage: e.stage ?? null,
        commit: e.commit,
        counter: e.counter ?? null,
        time: e.time !== undefined ? new Date(e.time * 1000).toISOString() : null,
        tagger: e.tagger ?? null,
        title,
        audit: audit ?? null,
      };
    });
    if (values.json) {
      process.stdout.write(JSON.stringify({ artifact, events }, null, 2) + '\n');
      return 0;
    }
    const rows = [
      ['time', 'event', 'version', 'stage', 'commit', 'tag', 'by'],
      ...events.map((e) => [e.time ?? '', e.event, e.version ?? '', e.stage ?? '', e.commit.slice(0, 7), e.tag, e.audit?.actor ?? e.tagger ?? '']),
    ];
    process.stdout.write(table(rows));
    return 0;
  },
};
