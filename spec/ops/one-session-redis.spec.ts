/**
 * One OAuth session for every process of one account in Redis mode: two bridges (startApp, as
 * `jottadav serve` composes them) plus the account commands run as the CLI a user types, all on
 * the config `jottadav login` wrote, sharing one private redis-server.
 *
 * The bug this pins: the token file stayed at its first generation while the bridges rotated the
 * token in Redis, so `jottadav about` presented a spent refresh token, the service took it for
 * reuse and revoked the session, and every bridge answered 503; a fresh login did not help
 * because Redis kept the revoked token.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../lib/app.js';
import { formatProblems, hasErrors, loadConfig } from '../../lib/config/index.js';
import { hashPassword } from '../../lib/dav/index.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { SERVICES } from '../../lib/jottacloud/index.js';
import { createLogger } from '../../lib/util/logger.js';
import { runCli } from '../cli/run-cli.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis-server.js';
import { AUTH, PASSWORD, USER } from './two-bridges-support.js';

describe('ops: one session across instances and commands (Redis)', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let redis: RedisServer;
  let dir: string;
  let configFile: string;
  let bridges: RunningApp[] = [];

  const login = async () => {
    const result = await runCli([
      'login', '--yes', '--account', 'main', '--config', configFile,
      '--login-token', emulator.mintLoginToken(),
      '--jfs-url', emulator.urls.jfs, '--api-url', emulator.urls.api, '--www-url', emulator.urls.www,
    ]);
    assert.equal(result.code, 0, result.stderr);
  };
  const startBridges = async () => {
    const loaded = loadConfig({ file: configFile, services: SERVICES.map((s) => s.key), env: {} });
    if (hasErrors(loaded.problems)) throw new Error(formatProblems(loaded.problems));
    const logger = createLogger({ format: 'json', level: 'error', sink: process.env.SPEC_LOG ? process.stderr : { write: () => true } });
    bridges = [await startApp(loaded.config, { logger }), await startApp(loaded.config, { logger })];
  };
  const stopBridges = async () => {
    await Promise.allSettled(bridges.map((b) => b.close()));
    bridges = [];
  };
  const dav = (app: RunningApp, method: string, path: string, body?: string) =>
    fetch(new URL(path.replace(/^\//, ''), app.url), { method, headers: { Authorization: AUTH }, body });
  const about = () => runCli(['about', '--json', '--config', configFile]);
  /** Every bridge writes and reads through Jottacloud (uploads and downloads are never cached). */
  const everyBridgeWorks = async (label: string) => {
    for (const [i, app] of bridges.entries()) {
      const put = await dav(app, 'PUT', `/${label}-${i}.txt`, `${label} ${i}`);
      assert.ok(put.status === 201 || put.status === 204, `${label}: PUT through bridge ${i} answered ${put.status}`);
      const get = await dav(bridges[(i + 1) % bridges.length] as RunningApp, 'GET', `/${label}-${i}.txt`);
      assert.equal(`${get.status} ${await get.text()}`, `200 ${label} ${i}`, `${label}: GET of bridge ${i}'s file`);
    }
  };
  const refusedRefreshes = (since: number) =>
    emulator.controls
      .requests()
      .slice(since)
      .filter((e) => e.grantType === 'refresh_token' && e.status !== 200);

  before(async function () {
    assert.ok(redisAvailable(), 'redis-server must be installed to run this spec');
    dir = mkdtempSync(join(tmpdir(), 'jottadav-one-session-'));
    emulator = await startEmulator({});
    redis = await startRedis();
    configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        store: redis.url,
        dataDir: join(dir, 'data'),
        server: { host: '127.0.0.1', port: 0 },
        log: { format: 'json', level: 'error' },
        users: [{ name: USER, passwordHash: await hashPassword(PASSWORD), account: 'main' }],
      }),
      { mode: 0o600 },
    );
    await login();
    await startBridges();
  });
  after(async () => {
    await stopBridges();
    await redis?.stop();
    await emulator?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('about runs between token expiries without spending the session: every bridge keeps working', async () => {
    await everyBridgeWorks('start');
    const since = emulator.controls.requests().length;
    for (let round = 1; round <= 2; round++) {
      // The bridges rotate the refresh token in Redis; the token file keeps the login's first one.
      emulator.controls.expireTokens();
      await everyBridgeWorks(`round${round}`);
      emulator.controls.expireTokens();
      const result = await about();
      assert.equal(result.code, 0, `round ${round}: ${result.stderr}`);
      assert.equal((JSON.parse(result.stdout) as { account: string }).account, 'main');
      await everyBridgeWorks(`after-about${round}`);
    }
    assert.deepEqual(refusedRefreshes(since), [], 'no refresh token was presented twice');
  });

  it('after the session is revoked, a fresh login and a restart make every bridge and command work again', async () => {
    emulator.controls.revokeRefreshTokens();
    emulator.controls.expireTokens();
    const broken = await dav(bridges[0] as RunningApp, 'PUT', '/while-revoked.txt', 'x');
    assert.ok(broken.status >= 500, `a revoked session cannot serve (got ${broken.status})`);
    assert.equal((await about()).code, 1, 'about reports the revoked login');

    await login();
    await stopBridges();
    await startBridges();
    await everyBridgeWorks('relogin');
    const result = await about();
    assert.equal(result.code, 0, result.stderr);

    // And the new session is as durable as the first: about refreshes it, the bridges take over
    // that refresh, then refresh it themselves.
    const since = emulator.controls.requests().length;
    emulator.controls.expireTokens();
    assert.equal((await about()).code, 0);
    await everyBridgeWorks('relogin-after-about');
    emulator.controls.expireTokens();
    await everyBridgeWorks('relogin-later');
    assert.equal((await about()).code, 0);
    assert.deepEqual(refusedRefreshes(since), []);
  });
});
