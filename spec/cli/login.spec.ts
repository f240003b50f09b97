/**
 * The login wizard driven end to end through its prompts, as a person would answer them, against
 * a real emulator on an ephemeral port: the CLI runs as a child process with piped stdin.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../lib/emulator/index.js';
import { verifyPassword } from '../../lib/dav/auth.js';
import { decodeLoginToken, encodeLoginToken } from '../../lib/jottacloud/index.js';
import { loadConfig } from '../../lib/config/index.js';
import { runCli } from './run-cli.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

describe('cli: login wizard against the emulator', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let dir: string;

  before(async () => {
    emu = await startEmulator();
  });
  after(async () => {
    await emu.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-login-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const endpointFlags = () => ['--jfs-url', emu.urls.jfs, '--api-url', emu.urls.api, '--www-url', emu.urls.www];

  it('interactive: every prompt answered on stdin writes a 0600 token file and a config serve accepts', async () => {
    const token = await emu.mintLoginToken();
    const config = join(dir, 'config.json');
    const { code, stdout, stderr } = await runCli(['login', '--config', config, ...endpointFlags()], {
      answers: [
        '1', // Service [1]>
        token, // Login Token>
        'y', // non-standard device/mount point?
        'jotta', // Devices> (typed name, any case)
        '', // Mountpoints [Archive]> (default)
        'y', // Write this to config?
        'alice', // WebDAV user name to add
        'pw-alice-42', // Password for alice>
      ],
    });
    assert.equal(code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
    const out = stdout + stderr;
    assert.match(out, /Generate a personal login token here: https:\/\/www\.jottacloud\.com\/web\/secure/);
    assert.match(out, /Please select the device to use\. Normally this will be Jotta/);
    assert.match(out, /\d > Jotta\n/);
    assert.match(out, /Please select the mountpoint to use\. Normally this will be Archive/);
    assert.match(out, /\d > Archive\n/);
    assert.match(out, /device = Jotta\nmountpoint = Archive/);
    // Neither the login token nor anything it carries is ever printed.
    const login = decodeLoginToken(token);
    assert.ok(!out.includes(token) && !out.includes(login.auth_token), 'login token echoed');
    assert.ok(!out.includes('pw-alice-42'), 'password echoed');

    const tokenFile = join(dir, 'default.token.json');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    assert.equal(statSync(config).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as { accessToken: string; refreshToken: string; tokenEndpoint: string };
    assert.ok(stored.accessToken && stored.refreshToken);
    assert.ok(!out.includes(stored.accessToken) && !out.includes(stored.refreshToken), 'OAuth tokens printed');
    const written = JSON.parse(readFileSync(config, 'utf8')) as { accounts: Record<string, unknown>; users: Array<{ name: string; passwordHash: string; account: string }> };
    assert.deepEqual(written.accounts.default, {
      tokenFile: 'default.token.json',
      service: 'jottacloud',
      device: 'Jotta',
      mountPoint: 'Archive',
      endpoints: { jfs: emu.urls.jfs, api: emu.urls.api, www: emu.urls.www },
    });
    assert.equal(written.users.length, 1);
    assert.equal(written.users[0]?.name, 'alice');
    assert.equal(written.users[0]?.account, 'default');
    assert.equal(await verifyPassword('pw-alice-42', written.users[0]?.passwordHash ?? ''), true);
    // What login wrote is a complete config: serve's loader has nothing to say about it.
    const loaded = loadConfig({ file: config, env: {} });
    assert.deepEqual(loaded.problems, []);
    assert.equal(loaded.config.accounts.default?.tokenFile, tokenFile);
  });

  it('used login token: a second exchange of the same token says it was already used', async () => {
    const token = await emu.mintLoginToken();
    const first = await runCli(['login', '--yes', '--login-token', token, '--config', join(dir, 'a.json'), ...endpointFlags()]);
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['login', '--yes', '--login-token', token, '--config', join(dir, 'b.json'), ...endpointFlags()]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /jottadav login: the login token has already been used — it was exchanged here on \d{4}-\d\d-\d\dT[\d:.]+Z, and each one works once \(the server said invalid_grant/);
    assert.match(second.stderr, /Generate a personal login token here: https:\/\/www\.jottacloud\.com\/web\/secure and run jottadav login again\./);
    assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
    // Only digests are remembered, privately.
    const record = readFileSync(join(dir, 'used-login-tokens.json'), 'utf8');
    assert.ok(!record.includes(decodeLoginToken(token).auth_token));
    assert.equal(statSync(join(dir, 'used-login-tokens.json')).mode & 0o777, 0o600);
    // Used from another machine (no local record): the server cannot tell used from mistyped.
    const elsewhere = mkdtempSync(join(tmpdir(), 'jottadav-login-other-'));
    try {
      const third = await runCli(['login', '--yes', '--login-token', token, '--config', join(elsewhere, 'c.json'), ...endpointFlags()]);
      assert.equal(third.code, 1);
      assert.match(third.stderr, /the login token was refused: it is mistyped, already used \(each works once\) or expired/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a wrong token: not a login token at all, and a well-formed one the server does not know', async () => {
    const garbage = await runCli(['login', '--yes', '--login-token', 'not-a-token', '--config', join(dir, 'c.json')]);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /--login-token is not a personal login token/);
    const real = decodeLoginToken(await emu.mintLoginToken());
    const forged = encodeLoginToken({ ...real, auth_token: 'x'.repeat(real.auth_token.length) });
    const refused = await runCli(['login', '--yes', '--login-token', forged, '--config', join(dir, 'c.json'), ...endpointFlags()]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /the login token was refused: it is mistyped, already used \(each works once\) or expired/);
  });

  it('interactive: a pasted non-token is asked again, three strikes end it', async () => {
    const { code, stderr } = await runCli(['login', '--config', join(dir, 'd.json'), '--service', 'jottacloud'], { answers: ['hello', 'still no', 'nope'] });
    assert.equal(code, 1);
    assert.equal(stderr.match(/That is not a personal login token/g)?.length, 2);
    assert.match(stderr, /jottadav login: that is not a personal login token/);
  });

  it('a script whose stdin runs out before the last question gets told to use flags', async () => {
    const { code, stderr } = await runCli(['login', '--config', join(dir, 'h.json')], { answers: ['1'] });
    assert.equal(code, 1);
    assert.match(stderr, /stdin ended before every question was answered; answer them with flags/);
  });

  it('scripted: a wrong mount point fails after the token is saved; the rerun reuses it without a new login token', async () => {
    const config = join(dir, 'e.json');
    const tokenFile = join(dir, 'keys', 'home.json');
    const token = await emu.mintLoginToken();
    const bad = await runCli(['login', '--yes', '--login-token', token, '--account', 'home', '--token-file', tokenFile, '--config', config, '--device', 'JOTTA', '--mount-point', 'Nowhere', ...endpointFlags()]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /device Jotta has no mount point 'Nowhere'; it has: .*Archive/);
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const good = await runCli(['login', '--yes', '--account', 'home', '--token-file', tokenFile, '--config', config, '--device', 'JOTTA', '--mount-point', 'archive', ...endpointFlags()]);
    assert.equal(good.code, 0, good.stderr);
    const written = JSON.parse(readFileSync(config, 'utf8')) as { accounts: Record<string, { device: string; mountPoint: string; tokenFile: string }> };
    assert.equal(written.accounts.home?.device, 'Jotta', 'canonical device name');
    assert.equal(written.accounts.home?.mountPoint, 'Archive', 'canonical mount point name');
    assert.equal(written.accounts.home?.tokenFile, 'keys/home.json');
  });

  it('--well-known reaches the identity server when the token names an unreachable one', async () => {
    const real = decodeLoginToken(await emu.mintLoginToken());
    const elsewhere = encodeLoginToken({ ...real, well_known_link: 'http://127.0.0.1:9/auth/realms/jottacloud/.well-known/openid-configuration' });
    const unreachable = await runCli(['login', '--yes', '--login-token', elsewhere, '--config', join(dir, 'f.json'), ...endpointFlags()]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /could not reach the identity server/);
    // The unreachable attempt never reached the server, so the token is still unused.
    const redirected = await runCli(['login', '--yes', '--login-token', elsewhere, '--well-known', emu.urls.wellKnown, '--config', join(dir, 'f.json'), ...endpointFlags()]);
    assert.equal(redirected.code, 0, redirected.stderr);
    const written = JSON.parse(readFileSync(join(dir, 'f.json'), 'utf8')) as { accounts: { default: { endpoints: Record<string, string> } } };
    assert.equal(written.accounts.default.endpoints.wellKnown, emu.urls.wellKnown);
  });

  it('keeps the other settings and accounts of an existing config', async () => {
    const config = join(dir, 'g.json');
    const first = await runCli(['login', '--yes', '--login-token', await emu.mintLoginToken(), '--account', 'one', '--config', config, ...endpointFlags()]);
    assert.equal(first.code, 0, first.stderr);
    const before = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    const second = await runCli(['login', '--yes', '--login-token', await emu.mintLoginToken(), '--account', 'two', '--config', config, ...endpointFlags()]);
    assert.equal(second.code, 0, second.stderr);
    const after = JSON.parse(readFileSync(config, 'utf8')) as { accounts: Record<string, unknown> };
    assert.deepEqual(Object.keys(after.accounts).sort(), ['one', 'two']);
    assert.deepEqual(after.accounts.one, (before.accounts as Record<string, unknown>).one);
  });
});
