/**
 * about, cleanup and link against a real emulator, through the CLI as a user runs them: the
 * config and token file come from `jottadav login`; the spec seeds data with its own session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../lib/emulator/index.js';
import { FileTokenStore, JottacloudClient, loginWithToken, TokenManager, type JfsLocation } from '../../lib/jottacloud/index.js';
import { startStack, type Stack } from '../support/stack.js';
import { runCli } from './run-cli.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
const CAPACITY = 10 * 1024 ** 3;

describe('cli: about, cleanup, link against the emulator', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let dir: string;
  let config: string;
  let client: JottacloudClient;
  let tokens: TokenManager;
  const at = (...segments: string[]): JfsLocation => ({ device: 'Jotta', mountPoint: 'Archive', segments });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-account-'));
    emu = await startEmulator({ dataDir: join(dir, 'emulator'), port: 0, capacity: CAPACITY });
    config = join(dir, 'config.json');
    const login = await runCli(['login', '--yes', '--login-token', await emu.mintLoginToken(), '--config', config, '--jfs-url', emu.urls.jfs, '--api-url', emu.urls.api, '--www-url', emu.urls.www]);
    assert.equal(login.code, 0, login.stderr);
    // The spec's own session, so that it never shares a refresh token with the CLI.
    const store = new FileTokenStore(join(dir, 'spec-token.json'));
    await loginWithToken(await emu.mintLoginToken(), store);
    tokens = new TokenManager({ store });
    client = new JottacloudClient({ tokens, endpoints: { jfs: emu.urls.jfs, api: emu.urls.api, www: emu.urls.www } });
  });
  after(async () => {
    tokens.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('about prints usage and quota; --json gives the same figures as the account XML', async () => {
    const user = await client.user();
    const { code, stdout, stderr } = await runCli(['about', '--config', config]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Account: default \(/);
    assert.match(stdout, new RegExp(`Used: +.*\\(${user.usage ?? 0} bytes\\)`));
    assert.equal(user.capacity, CAPACITY);
    assert.match(stdout, /Total: +10 GiB \(10737418240 bytes\)/);
    assert.match(stdout, new RegExp(`Free: +.*\\(${CAPACITY - (user.usage ?? 0)} bytes\\)`));
    const json = await runCli(['about', '--config', config, '--json']);
    const report = JSON.parse(json.stdout) as { used: number; total: number | null; free: number | null; unlimited: boolean; devices: string[] };
    assert.equal(report.used, user.usage ?? 0);
    assert.equal(report.total, CAPACITY);
    assert.equal(report.free, CAPACITY - report.used);
    assert.equal(report.unlimited, false);
    assert.ok(report.devices.includes('Jotta'));
  });

  it('link creates a public link for a hostile name (encoded as rclone does), and --unlink removes it', async () => {
    await client.mkdir(at('Shared a\uFF1Fb'));
    const { code, stdout, stderr } = await runCli(['link', '/Shared a?b', '--config', config]);
    assert.equal(code, 0, stderr);
    const link = stdout.trim();
    assert.match(link, /\/opin\/io\/downloadPublic\/[^/]+\/[0-9a-f]{32}$/);
    assert.ok(link.startsWith(emu.urls.www.replace(/\/$/, '')), link);
    const doc = await client.get(at('Shared a\uFF1Fb'));
    assert.equal(doc.kind, 'folder');
    assert.ok(doc.kind === 'folder' && doc.folder.publicURI, 'the folder is shared');
    const unlink = await runCli(['link', '/Shared a?b', '--unlink', '--config', config]);
    assert.equal(unlink.code, 0, unlink.stderr);
    assert.match(unlink.stdout, /Removed the public link of \/Shared a\?b/);
    const after = await client.get(at('Shared a\uFF1Fb'));
    assert.ok(after.kind === 'folder' && !after.folder.publicURI, 'the link is gone');
  });

  it('link of a missing path (exit 1), and link without a path (exit 2), are clear errors', async () => {
    const missing = await runCli(['link', '/no/such/thing', '--config', config]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /jottadav link: no such file or folder: \/no\/such\/thing/);
    // A missing argument is a bad command line, exit 2 as a bad flag is for every command.
    const none = await runCli(['link', '--config', config]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /which file or folder\?/);
  });

  it('cleanup empties the trash and reports what went', async () => {
    await client.mkdir(at('to-trash'));
    await client.deleteFolder(at('to-trash'), false);
    const trashed = await client.trash();
    assert.ok((trashed.folders ?? []).length > 0, 'something is in the trash');
    const { code, stdout, stderr } = await runCli(['cleanup', '--config', config]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Emptied the trash of default: [1-9]\d* folders? and \d+ files? removed permanently\./);
    const empty = await client.trash();
    assert.equal((empty.folders ?? []).length + (empty.files ?? []).length, 0);
  });

  it('a config without the account, or a missing token file, is a clear error', async () => {
    const noConfig = await runCli(['about', '--config', join(dir, 'nope.json')]);
    assert.equal(noConfig.code, 1);
    assert.match(noConfig.stderr, /jottadav about: the config has problems:\nerror: \(file\): config file .* does not exist/);
    const wrongAccount = await runCli(['cleanup', '--config', config, '--account', 'work']);
    assert.equal(wrongAccount.code, 1);
    assert.match(wrongAccount.stderr, /no account 'work' in the config \(accounts: default\)/);
    const written = JSON.parse(readFileSync(config, 'utf8')) as { accounts: { default: Record<string, unknown> } };
    const orphan = join(dir, 'orphan.json');
    writeFileSync(orphan, JSON.stringify({ accounts: { default: { ...written.accounts.default, tokenFile: 'gone.json' } } }));
    const noToken = await runCli(['link', '/x', '--config', orphan]);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /accounts\.default\.tokenFile .*gone\.json does not exist\n  hint: run `jottadav login --token-file/);
  });
});

describe('cli: about, cleanup and link on the storage serve uses', function () {
  this.timeout(60_000);
  let stack: Stack;
  let dir: string;
  let config: string;
  const put = (path: string, body: string) => fetch(new URL(path.slice(1), stack.url), { method: 'PUT', headers: { Authorization: stack.authHeader() }, body });
  const download = async (link: string) => (await fetch(link)).text();

  const logLines: string[] = [];

  before(async () => {
    stack = await startStack({ logSink: { write: (line: string) => logLines.push(line) } });
    dir = mkdtempSync(join(tmpdir(), 'jottadav-account-storage-'));
    config = join(dir, 'config.json');
    const emu = stack.emulator;
    const login = await runCli(['login', '--yes', '--login-token', await emu.mintLoginToken(), '--config', config, '--jfs-url', emu.urls.jfs, '--api-url', emu.urls.api, '--www-url', emu.urls.www]);
    assert.equal(login.code, 0, login.stderr);
  });
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('link finds a file the bridge stored under an encoded name (a:b?.txt), not its look-alike twin', async () => {
    // `:` and `?` are stored as full-width look-alikes; a name holding those look-alikes literally
    // is stored marked, so the two never meet. Each link must download its own file.
    assert.equal((await put('/a%3Ab%3F.txt', 'the colon one')).status, 201);
    assert.equal((await put(`/${encodeURIComponent('a\uFF1Ab\uFF1F.txt')}`, 'the look-alike one')).status, 201);
    const plain = await runCli(['link', '/a:b?.txt', '--config', config]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(await download(plain.stdout.trim()), 'the colon one');
    const twin = await runCli(['link', '/a\uFF1Ab\uFF1F.txt', '--config', config, '--json']);
    assert.equal(twin.code, 0, twin.stderr);
    const { link } = JSON.parse(twin.stdout) as { link: string };
    assert.equal(await download(link), 'the look-alike one');
    // A name typed in NFD finds the file the bridge stored in NFC.
    assert.equal((await put(`/${encodeURIComponent('caf\u00E9.txt')}`, 'nfc')).status, 201);
    const nfd = await runCli(['link', '/cafe\u0301.txt', '--config', config]);
    assert.equal(nfd.code, 0, nfd.stderr);
    assert.equal(await download(nfd.stdout.trim()), 'nfc');
  });

  it('a revoked login: the bridge answers 503, and about, cleanup and link all say the same line, with the codes of serve\'s log, and exit 1', async () => {
    stack.emulator.controls.revokeRefreshTokens();
    stack.emulator.controls.expireTokens();
    // serve translates the failure to AUTH_EXPIRED, which WebDAV clients see as 503.
    assert.equal((await put('/while-revoked.txt', 'x')).status, 503);
    const logged = logLines.find((line) => line.includes('while-revoked.txt') && line.includes('"status":503'));
    assert.ok(logged?.includes('[AUTH_EXPIRED ← JOTTA_AUTH]'), `serve's log line: ${logged}`);
    for (const args of [['about'], ['cleanup'], ['link', '/a:b?.txt']]) {
      const { code, stdout, stderr } = await runCli([...args, '--config', config]);
      assert.equal(code, 1, `${args[0]}: ${stderr}`);
      assert.equal(stdout, '');
      // The words, then the codes serve's log gives the same failure (docs/errors.md).
      assert.match(stderr, new RegExp(`^jottadav ${args[0]}: the login is no longer valid; run jottadav login with a new login token \\(.*invalid_grant.*\\) \\[AUTH_EXPIRED ← JOTTA_AUTH\\]\n$`));
    }
  });
});
