import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { verifyPassword } from '../../lib/dav/auth.js';
import { PASSWORD_HASH_PATTERN } from '../../lib/config/index.js';
import { runWith } from '../../lib/cli/hash-password.js';
import { Terminal } from '../../lib/cli/terminal.js';
import { runCli } from './run-cli.js';

describe('cli: hash-password', () => {
  it('reads the password from piped stdin and prints a hash lib/dav verifies and config accepts', async () => {
    const password = 'correct horse:battery staple';
    const { code, stdout, stderr } = await runCli(['hash-password'], { input: `${password}\n` });
    assert.equal(code, 0, stderr);
    const hash = stdout.trim();
    assert.match(hash, PASSWORD_HASH_PATTERN);
    assert.equal(await verifyPassword(password, hash), true);
    assert.equal(await verifyPassword('wrong', hash), false);
    assert.ok(!stdout.includes(password) && !stderr.includes(password), 'the password is never echoed');
  });

  it('--user prints a ready users[] entry; a short password gets a warning', async () => {
    const { code, stdout, stderr } = await runCli(['hash-password', '--user', 'alice'], { input: 'short\r\n' });
    assert.equal(code, 0, stderr);
    const entry = JSON.parse(stdout) as { name: string; passwordHash: string };
    assert.equal(entry.name, 'alice');
    assert.equal(await verifyPassword('short', entry.passwordHash), true, 'the CR of a CRLF line is not part of the password');
    assert.match(stderr, /under 8 characters/);
  });

  it('empty stdin is a clear error, an unknown flag a usage error, neither a stack trace', async () => {
    const empty = await runCli(['hash-password'], { input: '' });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no password on stdin/);
    const colon = await runCli(['hash-password', '--user', 'a:b'], { input: 'password1\n' });
    assert.equal(colon.code, 2);
    assert.match(colon.stderr, /without colons/);
    const bad = await runCli(['hash-password', '--cost', '3']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown option '--cost'/);
    assert.doesNotMatch(bad.stderr + empty.stderr, /\n\s+at /);
  });

  it('on a TTY: no echo, asked twice, backspace edits, a mismatch prints nothing', async () => {
    const tty = () => {
      const input = Object.assign(new PassThrough(), { isTTY: true, rawModes: [] as boolean[], setRawMode(mode: boolean) { this.rawModes.push(mode); } });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (c: Buffer) => (out += c.toString()));
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      return { input, stdout, stderr, out: () => out, err: () => err };
    };
    const ok = tty();
    const done = runWith([], { stdin: ok.input, stdout: ok.stdout, stderr: ok.stderr });
    ok.input.write('tr0u\x1b[Db4dorx\u007f\r');
    await new Promise((r) => setTimeout(r, 20));
    ok.input.write('tr0ub4dor\r');
    assert.equal(await done, 0);
    assert.equal(await verifyPassword('tr0ub4dor', ok.out().trim()), true);
    assert.ok(!ok.err().includes('tr0u') && !ok.err().includes('b4dor'), `echoed: ${ok.err()}`);
    assert.deepEqual(ok.input.rawModes, [true, false, true, false]);

    const mismatch = tty();
    const failed = runWith([], { stdin: mismatch.input, stdout: mismatch.stdout, stderr: mismatch.stderr });
    mismatch.input.write('one-password\r');
    await new Promise((r) => setTimeout(r, 20));
    mismatch.input.write('another-password\r');
    assert.equal(await failed, 1);
    assert.equal(mismatch.out(), '');
    assert.match(mismatch.err(), /do not match/);

    const cancelled = tty();
    const c = runWith([], { stdin: cancelled.input, stdout: cancelled.stdout, stderr: cancelled.stderr });
    cancelled.input.write('abc\u0003');
    assert.equal(await c, 130);
    assert.deepEqual(cancelled.input.rawModes, [true, false], 'raw mode is always restored');
  });

  it('Terminal reads a sequence of piped answers line by line', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const term = new Terminal(input, output);
    input.end('first\nsecond\r\nlast-without-newline');
    assert.equal(await term.line('a> '), 'first');
    assert.equal(await term.secret('b> '), 'second');
    assert.equal(await term.line('c> '), 'last-without-newline');
    assert.equal(await term.line('d> '), undefined);
    term.close();
  });
});
