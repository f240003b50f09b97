import assert from 'node:assert/strict';
import { HASH, Sandbox } from '../config/fixtures.js';
import { runCli } from './run-cli.js';

describe('cli: check-config', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = new Sandbox();
  });
  afterEach(() => box.remove());

  it('prints every problem with its hint and exits 1', async () => {
    box.token();
    const file = box.file('c.json', {
      server: { port: 'eighty' },
      logg: {},
      accounts: { home: { tokenFile: 'token.json' } },
      users: [{ name: 'alice', passwordHash: 'plain-text', account: 'hone' }],
    });
    const { code, stdout, stderr } = await runCli(['check-config', '--config', file]);
    assert.equal(code, 1, stdout + stderr);
    assert.match(stderr, /error: server\.port \(config file .*\): must be an integer from 0 to 65535, got "eighty"\n  hint: /);
    assert.match(stderr, /error: logg .*unknown option 'logg'\n  hint: did you mean 'log'\?/);
    assert.match(stderr, /error: users\[0\]\.passwordHash .*\n  hint: run `jottadav hash-password`/);
    assert.match(stderr, /error: users\[0\]\.account .*unknown account 'hone'\n  hint: did you mean 'home'\?/);
    assert.match(stderr, /4 errors, 0 warnings/);
    assert.doesNotMatch(stderr, /plain-text/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('names.encoding: an unknown flag is refused with a did-you-mean hint, from the file, env and flags', async () => {
    const file = box.minimal({ names: { encoding: 'Slash,Colom,Dot' } });
    const bad = await runCli(['check-config', '--config', file]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /error: names\.encoding \(config file .*\): unknown encoding flag 'Colom'\n  hint: did you mean 'Colon'\?/);
    const env = await runCli(['check-config', '--config', box.minimal()], { env: { JOTTADAV_NAMES_ENCODING: 'Slash,invalidutf8' } });
    assert.equal(env.code, 1);
    assert.match(env.stderr, /names\.encoding \(env JOTTADAV_NAMES_ENCODING\): unknown encoding flag 'invalidutf8'\n  hint: did you mean 'InvalidUtf8'\?/);
    const empty = await runCli(['check-config', '--config', box.minimal(), '--encoding', '']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /hint: an empty list is not allowed; use None/);
    const good = await runCli(['check-config', '--config', box.minimal(), '--names-encoding', 'Dot, Slash,0x4', '--json', '--print']);
    assert.equal(good.code, 0, good.stderr);
    assert.equal((JSON.parse(good.stdout) as { config: { names: { encoding: string } } }).config.names.encoding, 'Slash,LtGt,Dot');
  });

  it('a valid config exits 0; env and flags are checked as serve would merge them', async () => {
    const file = box.minimal();
    const ok = await runCli(['check-config', '--config', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /: OK\n$/);
    const env = await runCli(['check-config', '--config', file], { env: { JOTTADAV_STORE: 'redis:/nope' } });
    assert.equal(env.code, 1);
    assert.match(env.stderr, /store \(env JOTTADAV_STORE\): must be memory, file or a redis:\/\/ URL/);
    const flag = await runCli(['check-config', '--config', file, '--locks-min-timeout', '10ms']);
    assert.equal(flag.code, 1);
    assert.match(flag.stderr, /locks\.minTimeout \(flag --locks-min-timeout\): must be at least 1s/);
  });

  it('warnings pass unless --strict; --json lists problems; --print shows the config with secrets redacted', async () => {
    const file = box.minimal({ server: { host: '0.0.0.0' } });
    const loose = await runCli(['check-config', '--config', file]);
    assert.equal(loose.code, 0);
    assert.match(loose.stderr, /warning: server\.host .*clear text/);
    assert.match(loose.stdout, /OK \(with warnings\)/);
    const strict = await runCli(['check-config', '--config', file, '--strict']);
    assert.equal(strict.code, 1);
    const json = await runCli(['check-config', '--config', file, '--json', '--print']);
    const report = JSON.parse(json.stdout) as { ok: boolean; problems: Array<{ path: string; severity: string; hint: string }>; config: { users: Array<{ passwordHash: string }> } };
    assert.equal(report.ok, true);
    assert.deepEqual(report.problems.map((p) => [p.severity, p.path]), [['warning', 'server.host']]);
    assert.equal(report.config.users[0]?.passwordHash, '[REDACTED]');
    assert.ok(!json.stdout.includes(HASH));
  });

  it('uploads.uploadResumeLimit (rclone parity) is accepted from file, env and flag, with a warning that it has no effect', async () => {
    const file = box.minimal({ uploads: { uploadResumeLimit: '10M' } });
    const fromFile = await runCli(['check-config', '--config', file, '--print']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.match(fromFile.stderr, /warning: uploads\.uploadResumeLimit \(config file .*\): has no effect \(accepted for rclone parity\)\n  hint: No effect: /);
    assert.match(fromFile.stdout, /OK \(with warnings\)/);
    assert.doesNotMatch(fromFile.stdout, /uploadResumeLimit/, 'it never reaches the effective configuration');
    const fromEnv = await runCli(['check-config', '--config', box.minimal()], { env: { JOTTADAV_UPLOADS_UPLOAD_RESUME_LIMIT: '1M' } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(fromEnv.stderr, /warning: uploads\.uploadResumeLimit \(env JOTTADAV_UPLOADS_UPLOAD_RESUME_LIMIT\): has no effect/);
    const fromFlag = await runCli(['check-config', '--config', box.minimal(), '--uploads-upload-resume-limit', '1M']);
    assert.equal(fromFlag.code, 0, fromFlag.stderr);
    assert.match(fromFlag.stderr, /warning: uploads\.uploadResumeLimit \(flag --uploads-upload-resume-limit\): has no effect/);
    // Still checked like any size: a bad value is an error, not silently dropped.
    const bad = await runCli(['check-config', '--config', box.minimal({ uploads: { uploadResumeLimit: -1 } })]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error: uploads\.uploadResumeLimit .*got -1/);
  });

  it('a missing file and an unknown flag are reported without a stack trace', async () => {
    const missing = await runCli(['check-config', '--config', `${box.dir}/nope.json`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /does not exist\n  hint: run `jottadav login --config FILE`/);
    const bad = await runCli(['check-config', '--colour']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--colour'/);
  });
});
