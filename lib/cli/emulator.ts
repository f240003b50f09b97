/**
 * `jottadav emulator`: the local Jottacloud alone, for out-of-process tests and demos. Prints where
 * it listens and a login token; with --info-file writes the same as JSON once it serves; ends
 * cleanly on SIGINT/SIGTERM.
 */
import { startEmulator, type EmulatorOptions } from '../emulator/index.js';
import { CommandError, runCommand, type CommandValues } from './command.js';
import { waitForStopSignal, writeJsonAtomically } from './process.js';

const HELP = `Usage: jottadav emulator [options]

Runs a local stand-in for Jottacloud that speaks the real wire protocol.

  --host HOST         listen address (default 127.0.0.1)
  --port PORT         listen port (default 0: any free port)
  --data DIR          keep files and metadata in DIR across restarts (default: a temp dir)
  --public-url URL    base URL clients reach the emulator at (default: its own address)
  --capacity BYTES    account capacity in bytes, -1 for unlimited (default -1)
  --token-ttl SECONDS access token lifetime (default 3600)
  --info-file FILE    write {url, jfs, api, wellKnown, loginToken, username} as JSON once ready
  -h, --help          show this help`;

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new Error(`--${name} must be an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  data: { type: 'string' },
  'public-url': { type: 'string' },
  capacity: { type: 'string' },
  'token-ttl': { type: 'string' },
  'info-file': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  return runCommand({ name: 'emulator', help: HELP, options: OPTIONS }, argv, ({ values }) => emulate(values));
}

async function emulate(values: CommandValues<typeof OPTIONS>): Promise<number> {
  const options: EmulatorOptions = {};
  try {
    if (values.host !== undefined) options.host = values.host;
    const port = integer('port', values.port, 0);
    if (port !== undefined) {
      if (port > 65535) throw new Error(`--port must be at most 65535, got '${port}'`);
      options.port = port;
    }
    if (values.data !== undefined) options.dataDir = values.data;
    if (values['public-url'] !== undefined) {
      const u = new URL(values['public-url']);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('--public-url must be an http(s) URL');
      options.publicUrl = values['public-url'];
    }
    const capacity = integer('capacity', values.capacity, -1);
    if (capacity !== undefined) options.capacity = capacity;
    const ttl = integer('token-ttl', values['token-ttl'], 1);
    if (ttl !== undefined) options.accessTokenTtlSeconds = ttl;
  } catch (error) {
    throw new CommandError((error as Error).message, 2);
  }

  let emu;
  try {
    emu = await startEmulator(options);
  } catch (error) {
    throw new CommandError(`cannot start: ${(error as Error).message}`);
  }
  const info = { url: emu.url, jfs: emu.urls.jfs, api: emu.urls.api, wellKnown: emu.urls.wellKnown, loginToken: emu.loginToken, username: emu.username };
  console.log(`Jottacloud emulator listening on ${emu.url}`);
  console.log(`  JFS ${info.jfs}\n  API ${info.api}\n  identity ${info.wellKnown}`);
  console.log(`  data ${options.dataDir ?? '(temporary, removed on exit)'}`);
  console.log(`Login token (single use):\n${emu.loginToken}`);
  if (values['info-file']) writeJsonAtomically(values['info-file'], info);
  const signal = await waitForStopSignal();
  console.log(`Received ${signal}, stopping the emulator`);
  await emu.close();
  return 0;
}
