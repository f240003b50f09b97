/**
 * `jottadav serve --config FILE`: serves the configured Jottacloud account(s) over WebDAV until
 * SIGINT or SIGTERM, then shuts down gracefully (uploads in flight get `shutdown.grace` to finish,
 * placeholders become real files, stores are flushed).
 */
import { existsSync } from 'node:fs';
import { startApp, type RunningApp } from '../app.js';
import { CONFIG_FLAG_OPTIONS, defaultConfigFile, hasErrors, loadConfig, optionsHelp, type JottadavConfig } from '../config/index.js';
import { SERVICES } from '../jottacloud/index.js';
import { otherAddresses } from '../util/dial-address.js';
import { runCommand, type CommandValues } from './command.js';
import { waitForStopSignal } from './process.js';
import { listenFailure, logProblems, runOutput } from './run-output.js';

const HELP = `Usage: jottadav serve --config FILE [options]

Serves a Jottacloud account over WebDAV. Every config option can also be given as a flag (below)
or as an environment variable; flags win over the environment, which wins over the file.
See README "Configuration".

  --config FILE   the config file (default: $JOTTADAV_CONFIG, else ~/.config/jottadav/config.json,
                  where \`jottadav login\` writes it)
  -h, --help      show this help

${optionsHelp()}`;

export async function run(argv: string[]): Promise<number> {
  return runCommand({ name: 'serve', help: HELP, options: CONFIG_FLAG_OPTIONS }, argv, ({ values }) => serve(values));
}

async function serve(values: CommandValues<typeof CONFIG_FLAG_OPTIONS>): Promise<number> {
  const { help: _help, ...flags } = values;
  // Like the account commands: --config, else $JOTTADAV_CONFIG, else where `jottadav login` writes.
  const named = (flags as Record<string, unknown>).config;
  const fallback = defaultConfigFile();
  const file = typeof named === 'string' ? named : existsSync(fallback) ? fallback : undefined;
  const loaded = loadConfig({ file, flags, services: SERVICES.map((s) => s.key) });
  const { config } = loaded;
  // The log options load first of all (a bad one falls back to its default), so even the
  // config's problems come out in the run's one format.
  const { logger } = runOutput(config.log);
  // startApp warns about clear-text passwords itself once it listens; once is enough.
  logProblems(logger, loaded.problems.filter((p) => !(p.severity === 'warning' && p.path === 'server.host')));
  if (hasErrors(loaded.problems)) {
    logger.error('the configuration has errors (above); `jottadav check-config` lists them too');
    return 2;
  }
  if (config.users.length === 0 && !config.anonymous.enabled) {
    logger.error('no users are configured; add one with a hash from `jottadav hash-password`, or enable anonymous access explicitly');
    return 2;
  }
  let app: RunningApp;
  try {
    app = await startApp(config, { logger });
  } catch (error) {
    logger.error(`cannot start: ${listenFailure(error, listenFlags(config, error)) ?? (error as Error).message}`);
    return 1;
  }
  const also = otherAddresses(app.url, config.server.host);
  logger.info('jottadav is serving', {
    url: app.url,
    ...(also.length > 0 ? { alsoAt: also } : {}),
    ...(app.metrics ? { metrics: app.metrics.url } : {}),
    config: loaded.file ?? '(flags and environment)',
  });
  const signal = await waitForStopSignal();
  logger.info('stopping', { signal, graceMs: config.shutdown.grace });
  await app.close();
  logger.info('stopped');
  return 0;
}

/** The flags that move the listener that failed: the metrics one when its port is the one named. */
function listenFlags(config: JottadavConfig, error: unknown): { port: string; host: string } {
  const port = (error as { port?: number }).port;
  const metrics = config.metrics.enabled && port === config.metrics.port && port !== config.server.port;
  return metrics ? { port: '--metrics-port', host: '--metrics-host' } : { port: '--port', host: '--host' };
}
