/**
 * `jottadav demo` (what `npm start` runs): the embedded Jottacloud emulator and the bridge in
 * front of it, in one command with no configuration. Data stays in ./.jottadav/ across runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApp, type RunningApp } from '../app.js';
import { configFlagOptionsFor, formatProblems, hasErrors, optionsHelp, rawConfigFromFlags, validateConfig, type OptionSpec } from '../config/index.js';
import { hashPassword } from '../dav/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { FileTokenStore, loginWithToken } from '../jottacloud/index.js';
import { otherAddresses } from '../util/dial-address.js';
import { CommandError, runCommand, type CommandValues } from './command.js';
import { waitForStopSignal, writeJsonAtomically } from './process.js';
import { listenFailure, runOutput } from './run-output.js';

/** Config options the demo takes as flags (the rest is made up for it): where it listens, logging, metrics. */
const DEMO_OPTIONS = (option: OptionSpec): boolean => ['server.host', 'server.port'].includes(option.path) || /^(log|metrics)\./.test(option.path);

const HELP = `Usage: jottadav demo [options]

Starts a local Jottacloud emulator and jottadav in front of it, and prints the WebDAV address,
user and password. Files are kept in the data folder between runs.

  --data DIR         data folder (default ./.jottadav)
  --info-file FILE   write {url, user, password, emulator: {...}} as JSON once both are ready
  -h, --help         show this help

${optionsHelp(DEMO_OPTIONS)}`;

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

const OPTIONS = {
  ...configFlagOptionsFor(DEMO_OPTIONS),
  data: { type: 'string', default: '.jottadav' },
  'info-file': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  return runCommand({ name: 'demo', help: HELP, options: OPTIONS }, argv, ({ values }) => demo(values));
}

async function demo(values: CommandValues<typeof OPTIONS>): Promise<number> {
  const { help: _help, data, 'info-file': infoFile, ...flags } = values;
  const dataDir = resolve(data);
  // The flags are checked like serve's, before anything starts.
  const fromFlags = rawConfigFromFlags(flags as Record<string, string | boolean | undefined>);
  const flagCheck = validateConfig(fromFlags, { checkFiles: false });
  const flagProblems = flagCheck.problems.filter((p) => p.path !== 'accounts' && p.path !== 'users');
  if (hasErrors(flagProblems)) throw new CommandError(flagProblems.map((p) => `${p.path}: ${p.message}`).join('; '), 2);
  const { logger, pretty } = runOutput(flagCheck.config.log);
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
      ...fromFlags,
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
    try {
      app = await startApp(config, { logger });
    } catch (error) {
      const failure = listenFailure(error, { port: '--port', host: '--host' });
      if (failure === undefined) throw error;
      logger.error(`cannot start: ${failure}`);
      return 1;
    }
    const also = otherAddresses(app.url, config.server.host);
    if (pretty) {
      console.log(`jottadav demo: WebDAV on an emulated Jottacloud account

  WebDAV URL  ${app.url}${also.length > 0 ? `\n  also at     ${also.join('\n              ')}` : ''}
  user        ${credentials.user}
  password    ${credentials.password}${app.metrics ? `\n  metrics     ${app.metrics.url}` : ''}

  Emulated Jottacloud at ${emulator.url} (data in ${dataDir})

Try:  curl -u ${credentials.user}:${credentials.password} -X PROPFIND -H 'Depth: 1' ${app.url}
      rclone lsl :webdav: --webdav-url ${app.url} --webdav-vendor owncloud --webdav-user ${credentials.user} --webdav-pass "$(rclone obscure ${credentials.password})"
Press Ctrl+C to stop.`);
    } else {
      // The same facts as one JSON line. Written past the logger on purpose: its redaction would
      // hide the password, and the demo's random local password is made to be shown.
      const line = {
        time: new Date().toISOString(),
        level: 'info',
        msg: 'jottadav demo is serving',
        url: app.url,
        ...(also.length > 0 ? { alsoAt: also } : {}),
        user: credentials.user,
        password: credentials.password,
        ...(app.metrics ? { metrics: app.metrics.url } : {}),
        emulator: emulator.url,
        dataDir,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    if (infoFile) {
      writeJsonAtomically(infoFile, {
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
    logger.info('stopping', { signal });
    return 0;
  } catch (error) {
    logger.error(`cannot run the demo: ${(error as Error).message}`);
    return 1;
  } finally {
    await app?.close();
    await emulator?.close();
  }
}
