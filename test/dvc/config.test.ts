import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDvcIni, readDvcConfig } from '../../src/lib/dvc/config.js';
import { effectiveOptions } from '../../src/lib/dvc/remotes.js';
import { UserError } from '../../src/lib/errors.js';
import { cleanupTempDirs, makeTempDir } from '../harness/tmp.js';

afterAll(cleanupTempDirs);

async function repoWith(config: string, local?: string): Promise<string> {
  const root = await makeTempDir();
  mkdirSync(join(root, '.dvc'));
  writeFileSync(join(root, '.dvc', 'config'), config);
  if (local !== undefined) writeFileSync(join(root, '.dvc', 'config.local'), local);
  return root;
}

describe('.dvc/config', () => {
  it('reads what `dvc remote add -d` writes (configobj quoting, 4-space indent)', async () => {
    const root = await repoWith(`[core]\n    remote = storage\n    autostage = true\n['remote "storage"']\n    url = s3://bucket/dvcstore\n    endpointurl = http://127.0.0.1:9000\n`);
    const c = readDvcConfig(root);
    expect(c.defaultRemote).toBe('storage');
    expect(c.remotes.get('storage')).toEqual({ name: 'storage', url: 's3://bucket/dvcstore', options: { endpointurl: 'http://127.0.0.1:9000' } });
    expect(c.cacheDir).toBe(join(root, '.dvc', 'cache'));
  });

  it('accepts unquoted sections, dots in names, CRLF, comments, and lower-cases names like DVC', async () => {
    const root = await repoWith(`# comment\r\n[core]\r\nremote = My.Remote\r\n[remote "My.Remote"]\r\nurl = https://example.com/dvc ; not a comment for configobj\r\nuser = me  # inline comment\r\n`);
    const c = readDvcConfig(root);
    expect(c.defaultRemote).toBe('my.remote');
    const r = c.remotes.get('my.remote')!;
    expect(r.url).toBe('https://example.com/dvc ; not a comment for configobj');
    expect(r.options.user).toBe('me');
  });

  it('merges config.local over config and resolves relative urls against .dvc/', async () => {
    const root = await repoWith(`[core]\n    remote = local\n['remote "local"']\n    url = ../../store\n['remote "web"']\n    url = https://h/x\n    auth = basic\n[cache]\n    dir = ../mycache\n`, `['remote "web"']\n    user = alice\n    password = 's3cr;et#x'\n`);
    const c = readDvcConfig(root);
    expect(c.remotes.get('local')!.url).toBe(join(root, '..', 'store'));
    expect(c.remotes.get('web')!.options).toEqual({ auth: 'basic', user: 'alice', password: 's3cr;et#x' });
    expect(c.cacheDir).toBe(join(root, 'mycache'));
  });

  it('env overrides any remote option', () => {
    const opts = effectiveOptions({ name: 'my-remote', url: 'https://x', options: { user: 'a' } }, { MLOPS_DVC_REMOTE_MY_REMOTE_PASSWORD: 'pw', MLOPS_DVC_REMOTE_MY_REMOTE_USER: 'b' });
    expect(opts).toEqual({ user: 'b', password: 'pw' });
  });

  it('rejects malformed files with file and line', () => {
    expect(() => parseDvcIni('[core]\nremote storage\n', '.dvc/config')).toThrow(UserError);
    try {
      parseDvcIni('[core]\nremote storage\n', '.dvc/config');
    } catch (e) {
      expect((e as UserError).line).toBe(2);
      expect((e as UserError).file).toBe('.dvc/config');
    }
  });

  it('a remote without url is a clear error', async () => {
    const root = await repoWith(`['remote "x"']\n    region = eu-west-1\n`);
    expect(() => readDvcConfig(root)).toThrow(/remote "x" has no url/);
  });
});
