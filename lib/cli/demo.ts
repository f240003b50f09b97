/**
 * `jottadav demo` (what `npm start` runs): the embedded Jottacloud emulator and the bridge in
 * front of it, in one command with no configuration. Data stays in ./.jottadav/ across runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApp, type RunningApp } from '../app.js';
import { formatProblems, hasErrors, validateConfig } from '../config/index.js';
import { hashPassword } from '../dav/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FileTokenStore, loginWithToken } from '../jottacloud/index.js';
import { createLogger } from '../util/logger.js';
import { parseCommandLine, waitForStopSignal, writeJsonAtomically } from './process.js';

const HELP = `Usage: jottadav demo [options]

Starts a local Jottacloud emulator and jottadav in front of it, and prints the WebDAV address,
user and password. Files are kept in the data folder between runs.

  --host HOST        address the WebDAV server listens on (default 127.0.0.1)
  --port PORT        WebDAV port (default 8080; 0 picks a free one)
  --data DIR         data folder (default ./.jottadav)
  --info-file FILE   write {url, user, password, emulator: {...}} as JSON once both are ready
  -h, --help         show this help`;

const DEMO_USER = 'demo';

interface DemoCredentials {
  user: string;
  password: string;
}

/** The demo password is random, made once and kept, so a mounted client keeps working. */
function demoCredentials(file: string): DemoCredentials {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoCredentials>;
    if (typeof saved.user === 'string' && typeof saved.password === 'string') return { user: saved.user, password: saved.password };
  } catch {
    // first run, or an unreadable file: make new ones
  }
  const credentials = { user: DEMO_USER, password: randomBytes(8).toString('hex') };
  writeJsonAtomically(file, credentials);
  return credentials;
}

export async function run(argv: string[]): Promise<number> {
  const values = parseCommandLine(
    'demo',
    argv,
    {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      data: { type: 'string', default: '.jottadav' },
      'info-file': { type: 'string' },
    },
    HELP,
  );
  if (typeof values === 'number') return values;
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    console.error(`jottadav demo: --port must be an integer from 0 to 65535, got '${values.port}'`);
    return 2;
  }
  const dataDir = resolve(values.data);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const credentials = demoCredentials(join(dataDir, 'demo-user.json'));

  let emulator: Emulator | undefined;
  let app: RunningApp | undefined;
  try {
    emulator = await startEmulator({ dataDir: join(dataDir, 'emulator') });
    // A fresh session on every start: the login token the emulator just minted is single use.
    const tokenFile = join(dataDir, 'jottacloud-token.json');
    await loginWithToken(emulator.loginToken, new FileTokenStore(tokenFile));

    const raw = {
      server: { host: values.host, port },
      store: 'file',
      dataDir: join(dataDir, 'bridge'),
      users: [{ name: credentials.user, passwordHash: await hashPassword(credentials.password), account: 'demo' }],
      accounts: {
        demo: {
          tokenFile,
          endpoints: { jfs: emulator.urls.jfs, api: emulator.urls.api, www: emulator.urls.www, wellKnown: emulator.urls.wellKnown },
        },
      },
    };
    const { config, problems } = validateConfig(raw, { baseDir: dataDir, checkFiles: false });
    if (hasErrors(problems)) throw new Error(`internal demo config is invalid:\n${formatProblems(problems)}`);
    const logger = createLogger({ format: config.log.format, level: config.log.level, sink: process.stderr });
    app = await startApp(config, { logger });

    console.log(`jottadav demo: WebDAV on an emulated Jottacloud account

  WebDAV URL  ${app.url}
  user        ${credentials.user}
  password    ${credentials.password}

  Emulated Jottacloud at ${emulator.url} (data in ${dataDir})

Try:  curl -u ${credentials.user}:${credentials.password} -X PROPFIND -H 'Depth: 1' ${app.url}
      rclone lsl :webdav: --webdav-url ${app.url} --webdav-vendor owncloud --webdav-user ${credentials.user} --webdav-pass "$(rclone obscure ${credentials.password})"
Press Ctrl+C to stop.`);
    if (values['info-file']) {
      writeJsonAtomically(values['info-file'], {
        url: app.url,
        user: credentials.user,
        password: credentials.password,
        emulator: {
          url: emulator.url,
          jfs: emulator.urls.jfs,
          api: emulator.urls.api,
          wellKnown: emulator.urls.wellKnown,
          loginToken: emulator.mintLoginToken(),
          username: emulator.username,
        },
      });
    }
    const signal = await waitForStopSignal();
    console.log(`Received ${signal}, stopping`);
    return 0;
  } catch (error) {
    console.error(`jottadav demo: ${(error as Error).message}`);
    return 1;
  } finally {
    await app?.close();
    await emulator?.close();
  }
}
