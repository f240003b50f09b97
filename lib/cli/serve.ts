/**
 * `jottadav serve --config FILE`: serves the configured Jottacloud account(s) over WebDAV until
 * SIGINT or SIGTERM, then shuts down gracefully (uploads in flight get `shutdown.grace` to finish,
 * placeholders become real files, stores are flushed).
 */
import { existsSync } from 'node:fs';
import { startApp } from '../app.js';
import { CONFIG_FLAG_OPTIONS, defaultConfigFile, formatProblems, hasErrors, loadConfig } from '../config/index.js';
import { SERVICES } from '../jottacloud/index.js';
import { createLogger } from '../util/logger.js';
import { parseCommandLine, waitForStopSignal } from './process.js';

const HELP = `Usage: jottadav serve --config FILE [options]

Serves a Jottacloud account over WebDAV. Every config option can also be given as a flag
(--server-port 8443, --hard-delete, …) or as an environment variable (JOTTADAV_SERVER_PORT=8443);
flags win over the environment, which wins over the file. See README "Configuration".

  --config FILE   the config file (default: $JOTTADAV_CONFIG, else ~/.config/jottadav/config.json,
                  where \`jottadav login\` writes it)
  -h, --help      show this help`;

export async function run(argv: string[]): Promise<number> {
  const values = parseCommandLine('serve', argv, CONFIG_FLAG_OPTIONS, HELP);
  if (typeof values === 'number') return values;
  const { help: _help, ...flags } = values;
  // Like the account commands: --config, else $JOTTADAV_CONFIG, else where `jottadav login` writes.
  const named = (flags as Record<string, unknown>).config;
  const fallback = defaultConfigFile();
  const file = typeof named === 'string' ? named : existsSync(fallback) ? fallback : undefined;
  const loaded = loadConfig({ file, flags, services: SERVICES.map((s) => s.key) });
  if (loaded.problems.length > 0) console.error(formatProblems(loaded.problems));
  if (hasErrors(loaded.problems)) {
    console.error('jottadav serve: the configuration has errors (see above); `jottadav check-config` lists them too');
    return 2;
  }
  const { config } = loaded;
  if (config.users.length === 0 && !config.anonymous.enabled) {
    console.error('jottadav serve: no users are configured; add one with a hash from `jottadav hash-password`, or enable anonymous access explicitly');
    return 2;
  }
  const logger = createLogger({ format: config.log.format, level: config.log.level, sink: process.stderr });
  let app;
  try {
    app = await startApp(config, { logger });
  } catch (error) {
    logger.error('cannot start', { error: (error as Error).message });
    return 1;
  }
  logger.info('jottadav is serving', { url: app.url, config: loaded.file ?? '(flags and environment)' });
  const signal = await waitForStopSignal();
  logger.info('stopping', { signal, graceMs: config.shutdown.grace });
  await app.close();
  logger.info('stopped');
  return 0;
}
