/**
 * The whole product on loopback for end-to-end specs: the emulator, and jottadav (dav → vfs →
 * jottacloud client) in front of it, both on port 0, composed by lib/app.ts exactly as
 * `jottadav serve` does. Every option of the config can be overridden per spec.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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

export interface StackOptions {
  /** Raw config overrides merged over the stack's own (server, users and accounts are set here). */
  config?: Record<string, unknown>;
  users?: StackUser[];
  emulator?: EmulatorOptions;
  /** Where log lines go; default discarded. */
  logSink?: { write(chunk: string): unknown };
  /** The clock of placeholder, junk-file and usage-cache deadlines, for a spec that moves time instead of waiting. */
  now?: () => number;
}

export interface Stack {
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
  close(): Promise<void>;
}

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

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'jottadav-stack-'));
  const emulator = await startEmulator(options.emulator ?? {});
  try {
    const tokenFile = join(dir, 'token.json');
    await loginWithToken(emulator.loginToken, new FileTokenStore(tokenFile));
    const users = options.users ?? [{ name: 'alice', password: 'correct horse battery staple' }];
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
        await emulator.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
