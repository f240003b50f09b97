/**
 * Logs of a real session, captured at level debug from the processes an operator runs
 * (`jottadav login`, then `jottadav serve`): the login exchange, WebDAV requests with Basic auth,
 * a forced token refresh, a failed login. No secret may appear anywhere in the output, and every
 * WebDAV request leaves exactly one access line with its method, path, status, bytes, duration
 * and user.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../lib/dav/index.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { FileTokenStore, loginWithToken, type StoredToken } from '../../lib/jottacloud/index.js';
import { runCli } from '../cli/run-cli.js';
import { basic, raw, servedUrl, startChild, type Child } from './support.js';

const ALICE = { name: 'alice', password: 'Tr0ub4dor&3-alice' };
const BOB = { name: 'bob', password: 'correct-horse-bob-77' };
const WRONG = 'not-bobs-password-99';

/** The value itself and distinctive parts of it, so that a partly printed secret is caught too. */
function fragments(secret: string): string[] {
  const out = [secret];
  for (const part of secret.split('.')) if (part.length >= 16 && !part.startsWith('eyJhbGci')) out.push(part.slice(-16));
  return out;
}

describe('ops: no secret in the logs of a session', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let dir: string;
  let serve: Child | undefined;
  /** Everything the two processes printed. */
  let output: string;
  let secrets: Record<string, string>;
  let access: Array<Record<string, unknown>>;
  const requests: Array<{ method: string; path: string; status: number; user?: string }> = [];
  let configFile: string;
  let tokenFile: string;
  after(async () => {
    await serve?.kill();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  before(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'jottadav-ops-logs-'));
    configFile = join(dir, 'config.json');
    tokenFile = join(dir, 'token.json');
    const loginToken = emulator.mintLoginToken();
    const authToken = (JSON.parse(Buffer.from(loginToken, 'base64url').toString('utf8')) as { auth_token: string }).auth_token;
    const env = { JOTTADAV_LOG_LEVEL: 'debug', JOTTADAV_LOG_FORMAT: 'json' };

    // 1. The login exchange, as an operator runs it.
    const login = await runCli(
      ['login', '--login-token', loginToken, '--well-known', emulator.urls.wellKnown, '--jfs-url', emulator.urls.jfs, '--api-url', emulator.urls.api, '--www-url', emulator.urls.www, '--config', configFile, '--token-file', tokenFile, '--yes'],
      { env, timeoutMs: 60_000 },
    );
    assert.equal(login.code, 0, `login failed:\n${login.stdout}\n${login.stderr}`);
    const tokens: StoredToken[] = [JSON.parse(readFileSync(tokenFile, 'utf8')) as StoredToken];
    const hashes = { alice: await hashPassword(ALICE.password), bob: await hashPassword(BOB.password) };
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    const account = Object.keys(config.accounts as Record<string, unknown>)[0] as string;
    config.users = [
      { name: ALICE.name, passwordHash: hashes.alice, account },
      { name: BOB.name, passwordHash: hashes.bob, account },
    ];
    config.server = { ...(config.server as object), host: '127.0.0.1', port: 0 };
    config.store = 'memory';
    config.log = { format: 'json', level: 'debug' };
    writeFileSync(configFile, JSON.stringify(config));

    // 2. A session against `jottadav serve`.
    serve = startChild(['serve', '--config', configFile], env);
    const url = await servedUrl(serve);
    const call = async (user: { name: string; password: string } | undefined, method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
      const res = await raw(url, method, path, { headers: { ...(user ? { Authorization: basic(user.name, user.password) } : {}), ...headers }, body });
      requests.push({ method, path, status: res.status, ...(res.status !== 401 && user ? { user: user.name } : {}) });
      return res;
    };
    assert.equal((await call(ALICE, 'PUT', '/report.txt', 'quarterly numbers')).status, 201);
    assert.equal((await call(ALICE, 'GET', '/report.txt')).status, 200);
    assert.equal((await call(BOB, 'PROPFIND', '/', undefined, { Depth: '1' })).status, 207);
    const refreshesBefore = emulator.controls.requests().filter((r) => r.grantType === 'refresh_token').length;
    emulator.controls.expireTokens();
    assert.equal((await call(BOB, 'PUT', '/after-refresh.txt', 'written with a refreshed token')).status, 201);
    assert.equal((await call(BOB, 'GET', '/after-refresh.txt')).status, 200);
    assert.ok(emulator.controls.requests().filter((r) => r.grantType === 'refresh_token').length > refreshesBefore, 'no token refresh happened');
    tokens.push(JSON.parse(readFileSync(tokenFile, 'utf8')) as StoredToken);
    assert.notEqual(tokens[1]?.accessToken, tokens[0]?.accessToken, 'the token file was not rewritten by the refresh');
    // A failed login, and a client that sends a bearer token where Basic belongs.
    assert.equal((await call({ name: BOB.name, password: WRONG }, 'GET', '/after-refresh.txt')).status, 401);
    assert.equal((await call(undefined, 'PROPFIND', '/', undefined, { Authorization: `Bearer ${tokens[1]?.accessToken}`, Depth: '0' })).status, 401);
    assert.equal((await call(undefined, 'GET', `/?access_token=${tokens[1]?.accessToken}&password=${ALICE.password}`)).status, 401);
    // Failures upstream put error details (messages, stacks, causes) into the log.
    emulator.controls.failNext({ path: /^\/files\/v1\//, status: 500, times: 50 });
    const failed = await call(ALICE, 'PUT', '/upstream-fails.txt', 'never stored');
    assert.ok(failed.status >= 500, `PUT with a failing upstream answered ${failed.status}`);
    emulator.controls.reset();
    // A refresh the service refuses: the bridge's token request (with the refresh token in its
    // body) fails, and is logged.
    emulator.controls.revokeRefreshTokens();
    emulator.controls.expireTokens();
    const refused = await call(BOB, 'PUT', '/refresh-refused.txt', 'never stored either');
    assert.ok(refused.status >= 500, `PUT with a refused refresh answered ${refused.status}`);
    tokens.push(JSON.parse(readFileSync(tokenFile, 'utf8')) as StoredToken);

    serve.process.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
    output = [login.stdout, login.stderr, serve.stdout(), serve.stderr()].join('\n');
    secrets = {
      'login token': loginToken,
      auth_token: authToken,
      'alice password': ALICE.password,
      'bob password': BOB.password,
      'wrong password': WRONG,
      'alice Basic header': basic(ALICE.name, ALICE.password).slice('Basic '.length),
      'bob Basic header': basic(BOB.name, BOB.password).slice('Basic '.length),
      'failed Basic header': basic(BOB.name, WRONG).slice('Basic '.length),
      'alice password hash': hashes.alice,
      'bob password hash': hashes.bob,
    };
    tokens.forEach((t, i) => {
      secrets[`access token ${i}`] = t.accessToken;
      if (t.refreshToken) secrets[`refresh token ${i}`] = t.refreshToken;
    });
    access = serve
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
  });

  it('no secret appears anywhere: passwords, Basic headers, login token, auth_token, access and refresh tokens, hashes', () => {
    for (const [name, secret] of Object.entries(secrets)) {
      for (const fragment of fragments(secret)) assert.ok(!output.includes(fragment), `the ${name} appears in the output:\n${output}`);
    }
  });

  it('every WebDAV request leaves one access line with method, path, status, bytes, durationMs and user', () => {
    assert.equal(access.length, requests.length, JSON.stringify(access, null, 1));
    requests.forEach((sent, i) => {
      const line = access[i] as Record<string, unknown>;
      assert.equal(line.method, sent.method);
      assert.equal(line.path, sent.path.split('?')[0]);
      assert.equal(line.status, sent.status);
      assert.equal(typeof line.bytes, 'number');
      assert.equal(typeof line.durationMs, 'number');
      assert.ok((line.durationMs as number) >= 0);
      assert.equal(line.user, sent.user, `user of ${sent.method} ${sent.path}`);
    });
    // A GET's bytes are the body sent.
    const get = access.find((l) => l.method === 'GET' && l.path === '/report.txt');
    assert.equal(get?.bytes, 'quarterly numbers'.length);
  });

  it('the readable (terminal) log format leaks no secret either', async () => {
    // The session above ended with revoked tokens: log in again, as an operator would.
    const loginToken = emulator.mintLoginToken();
    await loginWithToken(loginToken, new FileTokenStore(tokenFile));
    const token = JSON.parse(readFileSync(tokenFile, 'utf8')) as StoredToken;
    serve = startChild(['serve', '--config', configFile], { JOTTADAV_LOG_LEVEL: 'debug', JOTTADAV_LOG_FORMAT: 'pretty' });
    const started = await serve.waitFor(/is serving.*url=(\S+)/);
    const url = started[1] as string;
    const as = (user: { name: string; password: string }) => ({ Authorization: basic(user.name, user.password) });
    assert.equal((await raw(url, 'PUT', '/pretty.txt', { headers: as(ALICE), body: 'pretty' })).status, 201);
    assert.equal((await raw(url, 'GET', '/pretty.txt', { headers: as(ALICE) })).status, 200);
    assert.equal((await raw(url, 'GET', '/pretty.txt', { headers: as({ name: ALICE.name, password: WRONG }) })).status, 401);
    emulator.controls.revokeRefreshTokens();
    emulator.controls.expireTokens();
    assert.ok((await raw(url, 'PUT', '/pretty-refused.txt', { headers: as(BOB), body: 'x' })).status >= 500);
    serve.process.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
    const text = serve.stdout() + serve.stderr();
    assert.match(text, /PUT \/pretty\.txt 201/, text);
    const pretty: Record<string, string> = { ...secrets, 'second login token': loginToken, 'second access token': token.accessToken };
    if (token.refreshToken) pretty['second refresh token'] = token.refreshToken;
    for (const [name, secret] of Object.entries(pretty)) {
      for (const fragment of fragments(secret)) assert.ok(!text.includes(fragment), `the ${name} appears in the pretty output:\n${text}`);
    }
  });

  it('a 5xx access line names its upstream cause (regression: upstream failures were logged as a bare 503)', () => {
    const upstream = access.find((l) => l.path === '/upstream-fails.txt');
    assert.ok((upstream?.status as number) >= 500);
    assert.match(String(upstream?.error), /500/);
    const refused = access.find((l) => l.path === '/refresh-refused.txt');
    assert.ok((refused?.status as number) >= 500);
    assert.match(String(refused?.error), /invalid_grant|authentication/i);
  });
});
