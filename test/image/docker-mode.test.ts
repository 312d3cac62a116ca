/**
 * docker mode end to end with a stand-in `docker` executable on PATH (there is no daemon here): it
 * records the argument vector it receives and writes the buildx metadata file, so this checks what
 * reaches the process (no shell in between) and that the digest is read back. The argument
 * construction itself is unit-tested in unit.test.ts.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/log.js';
import { buildImage, type BuildImageRequest } from '../../src/lib/image/index.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

const DIGEST = 'sha256:' + 'e'.repeat(64);
let bin: string;
let record: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  bin = await makeTempDir('mlops-fake-docker-');
  record = join(bin, 'calls.jsonl');
  // Node rather than sh so that each argument is recorded exactly as received.
  await writeFile(
    join(bin, 'docker'),
    `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
let stdin = '';
if (args[0] === 'login') stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify({ args, stdin }) + '\\n');
if (args[0] === 'info') { if (process.env.FAKE_DOCKER_DOWN) process.exit(1); console.log('27.0.0'); }
if (args[0] === 'buildx') {
  const meta = args[args.indexOf('--metadata-file') + 1];
  fs.writeFileSync(meta, JSON.stringify({ 'containerimage.digest': ${JSON.stringify(DIGEST)}, 'image.name': 'x' }));
}
`,
  );
  await chmod(join(bin, 'docker'), 0o755);
  process.env.PATH = `${bin}${delimiter}${savedPath}`;
});

afterAll(async () => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_DOCKER_DOWN;
  await cleanupTempDirs();
});

const calls = async () => (await readFile(record, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { args: string[]; stdin: string });

function req(over: Partial<BuildImageRequest> = {}): BuildImageRequest {
  return {
    mode: 'auto',
    image: 'ghcr.io/acme/churn',
    add: [],
    context: '/ws/app dir',
    dockerfile: '/ws/app dir/Dockerfile',
    tags: [],
    version: 'v1.0.0',
    labels: { note: 'spaces and $(no shell)' },
    credentials: { username: 'octocat', password: 'ghs_token' },
    cwd: '/ws',
    sourceInfo: { repository: 'acme/churn', url: 'https://github.com/acme/churn', revision: 'f'.repeat(40), created: '2026-02-03T04:05:06Z' },
    logger: silentLogger,
    ...over,
  };
}

describe('docker mode', () => {
  it('auto picks docker when the daemon answers; logs in via stdin; buildx gets labels and tags as separate arguments', async () => {
    const r = await buildImage(req());
    expect(r).toMatchObject({ mode: 'docker', digest: DIGEST, image: `ghcr.io/acme/churn@${DIGEST}`, tags: ['sha-fffffff', 'f'.repeat(40), 'v1.0.0'] });
    const [info, login, build] = await calls();
    expect(info!.args[0]).toBe('info');
    expect(login!.args).toEqual(['login', '--username', 'octocat', '--password-stdin', 'ghcr.io']);
    expect(login!.stdin).toBe('ghs_token');
    const a = build!.args;
    expect(a.slice(0, 3)).toEqual(['buildx', 'build', '--push']);
    expect(a.at(-1)).toBe('/ws/app dir');
    expect(a[a.indexOf('--file') + 1]).toBe('/ws/app dir/Dockerfile');
    const labels = a.flatMap((x, i) => (x === '--label' ? [a[i + 1]] : []));
    expect(labels).toContain('note=spaces and $(no shell)');
    expect(labels).toContain('org.opencontainers.image.revision=' + 'f'.repeat(40));
    expect(labels).toContain('org.opencontainers.image.created=2026-02-03T04:05:06Z');
    expect(labels).toContain('org.opencontainers.image.version=v1.0.0');
    expect(a.flatMap((x, i) => (x === '--tag' ? [a[i + 1]] : []))).toEqual(['ghcr.io/acme/churn:sha-fffffff', `ghcr.io/acme/churn:${'f'.repeat(40)}`, 'ghcr.io/acme/churn:v1.0.0']);
  });

  it('mode docker without a daemon is a clear error', async () => {
    process.env.FAKE_DOCKER_DOWN = '1';
    try {
      await expect(buildImage(req({ mode: 'docker' }))).rejects.toThrow(/needs a running Docker daemon/);
    } finally {
      delete process.env.FAKE_DOCKER_DOWN;
    }
  });
});
