/**
 * What the long-running commands (serve, demo) print: one format for every line of a run. On a
 * terminal, readable lines; otherwise (a pipe, a file, a service manager) a JSON object on every
 * line, the banner and the config problems included, so a log collector never meets a plain line
 * among JSON ones.
 */
import type { ConfigProblem } from '../config/index.js';
import { createLogger, type LogFormat, type LogLevel, type Logger } from '../util/logger.js';

export interface RunOutput {
  /** Log lines, on stderr. */
  logger: Logger;
  /** True when lines are meant for a person (a terminal, or --log-format pretty). */
  pretty: boolean;
}

export function runOutput(log: { format: LogFormat; level: LogLevel }): RunOutput {
  // Both streams must be a terminal for readable lines: `cmd 2>&1 | tee` makes stdout a pipe.
  const terminal = process.stdout.isTTY === true && process.stderr.isTTY === true;
  const pretty = log.format === 'pretty' || (log.format === 'auto' && terminal);
  return { pretty, logger: createLogger({ format: pretty ? 'pretty' : 'json', level: log.level, sink: process.stderr }) };
}

/** Each config problem as a log line of its severity, with its path, source and hint as fields. */
export function logProblems(logger: Logger, problems: readonly ConfigProblem[]): void {
  for (const p of problems) {
    const fields = { path: p.path, ...(p.source ? { source: p.source } : {}), hint: p.hint };
    if (p.severity === 'error') logger.error(p.message, fields);
    else logger.warn(p.message, fields);
  }
}

/** The one-line story of a listen failure, with the flag that fixes it; undefined for other errors. */
export function listenFailure(error: unknown, flags: { port: string; host: string }): string | undefined {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  const where = `${e.address ?? 'this address'}:${e.port ?? '?'}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `port ${e.port ?? '?'} is already in use (${where}); choose another with ${flags.port} PORT, or ${flags.port} 0 for any free port`;
    case 'EACCES':
      return `no permission to listen on ${where} (ports below 1024 need privileges); choose a port above 1023 with ${flags.port} PORT`;
    case 'EADDRNOTAVAIL':
      return `${e.address ?? 'the address'} is not an address of this machine; choose one with ${flags.host} (127.0.0.1, or 0.0.0.0 for every interface)`;
    default:
      return undefined;
  }
}
