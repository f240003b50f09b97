/**
 * The whole product on loopback for end-to-end specs: the emulator, and jottadav (dav → vfs →
 * jottacloud client) in front of it, both on port 0, composed by lib/app.ts exactly as
 * `jottadav serve` does. Every option of the config can be overridden per spec.
 *
 * startStack: an emulator and one bridge. startBridge: another bridge in front of an emulator
 * that already runs (two bridges on one account, a bridge per setting). writeServeConfig: the
 * same config as a file, for a `jottadav serve` child process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../lib/app.js';
import { hasErrors, formatProblems, validateConfig, type JottadavConfig } from '../../lib/config/index.js';
import { hashPassword } from '../../lib/dav/index.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator/index.js';
import { FileTokenStore, loginWithToken } from '../../lib/jottacloud/index.js';
import { createLogger, type Logger } from '../../lib/util/logger.js';

export interface StackUser {
  name: string;
  password: string;
  root?: string;
  readOnly?: boolean;
}

export interface BridgeOptions {
  /** Raw config overrides merged over the stack's own (server, users and accounts are set here). */
  config?: Record<string, unknown>;
  users?: StackUser[];
  /** Where log lines go; default discarded. */
  logSink?: { write(chunk: string): unknown };
  /** The clock of placeholder, junk-file and usage-cache deadlines, for a spec that moves time instead of waiting. */
  now?: () => number;
  /** A token file already logged in (bridges sharing one login); default a login of its own. */
  tokenFile?: string;
}

export interface StackOptions extends Omit<BridgeOptions, 'tokenFile'> {
  emulator?: EmulatorOptions;
}

/** One bridge (lib/app.ts) in front of `emulator`. */
export interface Bridge {
  url: string;
  /** The first user. */
  user: string;
  password: string;
  users: StackUser[];
  emulator: Emulator;
  app: RunningApp;
  logger: Logger;
  /** Basic auth header value for a user (default the first). */
  authHeader(user?: string): string;
  /** Closes the bridge (not the emulator) and removes its files. */
  close(): Promise<void>;
}

/** An emulator and a bridge in front of it; close() closes both. */
export type Stack = Bridge;

const DEFAULT_USERS: StackUser[] = [{ name: 'alice', password: 'correct horse battery staple' }];

// One scrypt per password per process: hashing is deliberately slow.
const hashes = new Map<string, Promise<string>>();
function hashOnce(password: string): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

/**
 * A validated bridge config in front of `emulator`, as `jottadav serve` would load it: users with
 * hashed passwords on one account `main` (its token in `tokenFile`), on loopback port 0, data in
 * `dir`; `overrides` are merged over it (`server` and `accounts.main` key by key).
 */
export async function bridgeConfig(
  emulator: Emulator,
  setup: { dir: string; tokenFile: string; users: StackUser[]; overrides?: Record<string, unknown> },
): Promise<JottadavConfig> {
  const overrides = setup.overrides ?? {};
  const raw: Record<string, unknown> = {
    store: 'memory',
    dataDir: join(setup.dir, 'data'),
    log: { format: 'json', level: 'info' },
    ...overrides,
    server: { host: '127.0.0.1', port: 0, ...(overrides['server'] as object | undefined) },
    users: await Promise.all(
      setup.users.map(async (u) => ({ name: u.name, passwordHash: await hashOnce(u.password), account: 'main', root: u.root ?? '/', readOnly: u.readOnly ?? false })),
    ),
    accounts: {
      main: {
        tokenFile: setup.tokenFile,
        endpoints: { jfs: emulator.urls.jfs, api: emulator.urls.api, www: emulator.urls.www, wellKnown: emulator.urls.wellKnown },
        ...((overrides['accounts'] as Record<string, object> | undefined)?.['main'] ?? {}),
      },
    },
  };
  const { config, problems } = validateConfig(raw, { baseDir: setup.dir, checkFiles: false });
  if (hasErrors(problems)) throw new Error(`bridge config is invalid:\n${formatProblems(problems)}`);
  return config;
}

/** A bridge in front of a running emulator, on a login of its own unless `tokenFile` is given. */
export async function startBridge(emulator: Emulator, options: BridgeOptions = {}): Promise<Bridge> {
  const dir = mkdtempSync(join(tmpdir(), 'jottadav-bridge-'));
  try {
    const tokenFile = options.tokenFile ?? join(dir, 'token.json');
    if (options.tokenFile === undefined) await loginWithToken(emulator.mintLoginToken(), new FileTokenStore(tokenFile));
    const users = options.users ?? DEFAULT_USERS;
    const config = await bridgeConfig(emulator, { dir, tokenFile, users, overrides: options.config ?? {} });
    const logger = createLogger({ format: 'json', level: config.log.level, sink: options.logSink ?? { write: () => true } });
    const app = await startApp(config, { logger, ...(options.now ? { now: options.now } : {}) });
    const first = users[0] as StackUser;
    return {
      url: app.url,
      user: first.name,
      password: first.password,
      users,
      emulator,
      app,
      logger,
      authHeader(name = first.name) {
        const user = users.find((u) => u.name === name);
        if (!user) throw new Error(`no stack user ${name}`);
        return `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}`;
      },
      async close() {
        await app.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await startEmulator(options.emulator ?? {});
  try {
    const bridge = await startBridge(emulator, options);
    return {
      ...bridge,
      async close() {
        await bridge.close();
        await emulator.close();
      },
    };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}

/**
 * Logs in to the emulator (token file in `dir`) and writes a `jottadav serve` config for one
 * user on that account, listening on a free loopback port; `extra` adds or overrides top-level
 * settings. Answers the config file's path.
 */
export async function writeServeConfig(
  emulator: Emulator,
  dir: string,
  user: { name: string; password: string },
  extra: Record<string, unknown> = {},
  name = 'config.json',
): Promise<string> {
  const tokenFile = join(dir, `${name}.token.json`);
  await loginWithToken(emulator.mintLoginToken(), new FileTokenStore(tokenFile));
  const configFile = join(dir, name);
  writeFileSync(
    configFile,
    JSON.stringify({
      server: { host: '127.0.0.1', port: 0 },
      users: [{ name: user.name, passwordHash: await hashOnce(user.password), account: 'main' }],
      accounts: { main: { tokenFile, endpoints: { jfs: emulator.urls.jfs, api: emulator.urls.api, www: emulator.urls.www, wellKnown: emulator.urls.wellKnown } } },
      log: { format: 'json', level: 'info' },
      ...extra,
    }),
  );
  return configFile;
}
