/**
 * jottadav as a new user runs it: `jottadav login` writes the config (unattended, with the flags
 * that answer each of its questions), and `jottadav serve` runs on that file unchanged. Only the
 * listening port is given on the command line, so the bench measures the defaults, not settings
 * a bench would pick.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child, freePort, type EmulatorInfo } from './bridge-processes.js';

const BIN = fileURLToPath(new URL('../../bin/jottadav.js', import.meta.url));

export interface DefaultBridge {
  child: Child;
  url: string;
  user: string;
  password: string;
  configFile: string;
}

/** Runs `jottadav login` against the emulator with a fresh login token; answers the config file. */
async function loginAsUser(dir: string, emulator: EmulatorInfo, user: string, password: string): Promise<string> {
  const minted = (await (await fetch(`${emulator.url}/_emulator/login-token`, { method: 'POST' })).json()) as { loginToken: string };
  const configFile = join(dir, 'config.json');
  const args = [
    BIN, 'login', '--yes', '--config', configFile, '--login-token', minted.loginToken, '--dav-user', user,
    '--well-known', emulator.wellKnown, '--jfs-url', emulator.jfs, '--api-url', emulator.api, '--www-url', `${emulator.url}/`,
  ];
  const proc = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  proc.stdin.end(`${password}\n`);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`jottadav login exited ${code}: ${output.slice(-2000)}`);
  return configFile;
}

/** `jottadav login` then `jottadav serve` on the config it wrote; `nodeFlags` e.g. for --cpu-prof. */
export async function startDefaultBridge(dir: string, emulator: EmulatorInfo, nodeFlags: string[] = []): Promise<DefaultBridge> {
  const user = 'bench';
  const password = 'bench-password-not-secret';
  const configFile = await loginAsUser(dir, emulator, user, password);
  const port = await freePort();
  const args = [...nodeFlags, BIN, 'serve', '--config', configFile, '--server-host', '127.0.0.1', '--server-port', String(port)];
  const child = new Child('jottadav serve', spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] }));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!child.alive) throw new Error(child.describe());
    if (await fetch(`${url}_health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error('jottadav serve: not ready after 30 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, user, password, configFile };
}
