import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'mocha';
import { decodeLoginToken, form, textOf } from './helpers.js';

const bin = fileURLToPath(new URL('../../bin/jottadav.js', import.meta.url));

interface Info {
  url: string;
  jfs: string;
  api: string;
  wellKnown: string;
  loginToken: string;
  username: string;
}

async function waitForFile(path: string, child: ChildProcess, output: () => string): Promise<Info> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(path)) {
      const info = JSON.parse(readFileSync(path, 'utf8')) as Info;
      // The printed lines may reach this process a moment after the file appears.
      if (output().includes(info.loginToken)) return info;
    }
    if (child.exitCode !== null) throw new Error(`emulator exited early (${child.exitCode}): ${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no info file: ${output()}`);
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

describe('jottadav emulator (CLI)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-emu-cli-'));
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    child = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const launch = (args: string[]) => {
    let out = '';
    const c = spawn(process.execPath, [bin, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child = c;
    return { child: c, output: () => out };
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`--info-file is written once serving; it prints where it listens and the login token; ${signal} ends it with 0 and keeps --data`, async () => {
      const info = join(dir, `info-${signal}.json`);
      const data = join(dir, `data-${signal}`);
      const run = launch(['--port', '0', '--data', data, '--info-file', info, '--capacity', '1000', '--token-ttl', '60']);
      const i = await waitForFile(info, run.child, run.output);
      assert.deepEqual(Object.keys(i).sort(), ['api', 'jfs', 'loginToken', 'url', 'username', 'wellKnown']);
      assert.equal(i.jfs, `${i.url}/jfs/`);
      assert.match(run.output(), new RegExp(i.url.replace(/[.]/g, '\\.')));
      assert.ok(run.output().includes(i.loginToken));
      // The login token works against the running process.
      const p = decodeLoginToken(i.loginToken);
      assert.equal(p.well_known_link, i.wellKnown);
      const disc = (await (await fetch(p.well_known_link)).json()) as { token_endpoint: string };
      const tok = await fetch(disc.token_endpoint, form({ client_id: 'jottacli', grant_type: 'password', username: p.username, password: p.auth_token }));
      assert.equal(tok.status, 200);
      const { access_token, expires_in } = (await tok.json()) as { access_token: string; expires_in: number };
      assert.equal(expires_in, 60);
      const user = await (await fetch(`${i.jfs}${i.username}`, { headers: { authorization: `Bearer ${access_token}` } })).text();
      assert.equal(textOf(user, 'capacity'), '1000');
      run.child.kill(signal);
      assert.equal(await exited(run.child), 0);
      assert.ok(existsSync(join(data, 'state.json')));
    });
  }

  it('bad flags exit 2 with a message', async () => {
    for (const args of [['--port', 'abc'], ['--capacity', '-5'], ['--bogus'], ['--public-url', 'ftp://x']]) {
      const run = launch(args);
      assert.equal(await exited(run.child), 2, args.join(' '));
      assert.match(run.output(), /jottadav emulator:/);
    }
  });

  it('--public-url is the base of well_known_link', async () => {
    const info = join(dir, 'info-public.json');
    const run = launch(['--info-file', info, '--public-url', 'http://127.0.0.1:1/base']);
    const i = await waitForFile(info, run.child, run.output);
    assert.equal(decodeLoginToken(i.loginToken).well_known_link, 'http://127.0.0.1:1/base/auth/realms/jottacloud/.well-known/openid-configuration');
    run.child.kill('SIGTERM');
    assert.equal(await exited(run.child), 0);
  });
});
