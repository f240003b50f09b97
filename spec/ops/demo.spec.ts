/**
 * `jottadav demo` as a user runs it: a child process that prints the address and credentials and
 * writes them to an info file, serves a PUT/GET round-trip with them, stops with exit 0 on SIGINT,
 * and serves the same files again when started on the same data folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeLoginToken, FileTokenStore, loginWithToken } from '../../lib/jottacloud/index.js';
import { basic, raw, startChild, type Child } from './support.js';

interface DemoInfo {
  url: string;
  user: string;
  password: string;
  emulator: { url: string; jfs: string; api: string; wellKnown: string; loginToken: string; username: string };
}

describe('ops: jottadav demo', function () {
  this.timeout(120_000);
  let dir: string;
  let child: Child | undefined;

  const start = async (infoFile: string): Promise<DemoInfo> => {
    rmSync(infoFile, { force: true });
    child = startChild(['demo', '--port', '0', '--data', join(dir, 'data'), '--info-file', infoFile]);
    const running = child;
    while (!existsSync(infoFile)) {
      assert.equal(running.process.exitCode, null, `demo exited early:\n${running.stdout()}\n${running.stderr()}`);
      await Promise.race([sleep(50), running.exited]);
    }
    return JSON.parse(readFileSync(infoFile, 'utf8')) as DemoInfo;
  };

  const stop = async (): Promise<number | null> => {
    const running = child as Child;
    running.process.kill('SIGINT');
    const code = await running.exited;
    child = undefined;
    return code;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-ops-demo-'));
  });
  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints and writes the address and credentials, serves a round-trip with them, and stops on SIGINT with exit 0', async () => {
    const info = await start(join(dir, 'info-1.json'));
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(typeof info.user, 'string');
    assert.ok(info.password.length >= 8);
    for (const key of ['url', 'jfs', 'api', 'wellKnown', 'loginToken', 'username'] as const) {
      assert.equal(typeof info.emulator[key], 'string', `emulator.${key}`);
      assert.ok(info.emulator[key].length > 0, `emulator.${key}`);
    }
    assert.match(info.emulator.jfs, /^http:\/\/127\.0\.0\.1:\d+\//);
    // The printed text names the same address, user and password.
    const printed = (child as Child).stdout();
    assert.ok(printed.includes(info.url), printed);
    assert.ok(printed.includes(info.user), printed);
    assert.ok(printed.includes(info.password), printed);

    const auth = { Authorization: basic(info.user, info.password) };
    assert.equal((await raw(info.url, 'PUT', '/kept.txt', { headers: auth, body: 'kept across restarts' })).status, 201);
    const get = await raw(info.url, 'GET', '/kept.txt', { headers: auth });
    assert.equal(get.status, 200);
    assert.equal(get.body, 'kept across restarts');
    assert.equal((await raw(info.url, 'GET', '/kept.txt', { headers: { Authorization: basic(info.user, `${info.password}x`) } })).status, 401);
    // The emulator details work too: the login token is a fresh, unused one for that account.
    assert.equal((await fetch(info.emulator.wellKnown)).status, 200);
    const token = await loginWithToken(info.emulator.loginToken, new FileTokenStore(join(dir, 'login-check.json')));
    assert.ok(token.accessToken.length > 0);
    assert.equal(decodeLoginToken(info.emulator.loginToken).username, info.emulator.username);

    assert.equal(await stop(), 0);
  });

  it('a second start on the same data folder serves the file of the first run, with the same credentials', async () => {
    const first = JSON.parse(readFileSync(join(dir, 'info-1.json'), 'utf8')) as DemoInfo;
    const info = await start(join(dir, 'info-2.json'));
    assert.equal(info.user, first.user);
    assert.equal(info.password, first.password);
    const get = await raw(info.url, 'GET', '/kept.txt', { headers: { Authorization: basic(info.user, info.password) } });
    assert.equal(get.status, 200);
    assert.equal(get.body, 'kept across restarts');
    assert.equal(await stop(), 0);
  });
});
