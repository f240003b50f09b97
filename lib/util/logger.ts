/**
 * Structured logging: one JSON object per line for machines, or one readable line per event on
 * a terminal. Every field and every message goes through redact() on the way out, so a caller
 * that logs a whole request, error or token response cannot leak a secret by accident.
 */
import { format as formatText } from 'node:util';
import { redact, redactString } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

/** What one served request contributes to its access-log line. */
export interface RequestLogFields {
  method: string;
  path: string;
  status: number;
  /** Body bytes sent to the client (or received, for uploads): whichever the server counts. */
  bytes?: number;
  durationMs: number;
  /** The authenticated WebDAV user, absent for anonymous requests. */
  user?: string;
  [extra: string]: unknown;
}

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** One line per request; the level follows the status (5xx error, 4xx info, else info). */
  request(fields: RequestLogFields): void;
  /** A logger that adds `fields` to every line (e.g. `{ component: 'dav' }`). */
  child(fields: LogFields): Logger;
  enabled(level: LogLevel): boolean;
}

/** Where lines go: anything with a write(string) method (a stream, a test buffer). */
export interface LogSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface LoggerOptions {
  /** log.level and log.format; their defaults live in the config registry. */
  level: LogLevel;
  format: LogFormat;
  sink?: LogSink;
  /** Colour in pretty mode; defaults to the sink being a TTY and NO_COLOR being unset by the caller. */
  color?: boolean;
  now?: () => Date;
  fields?: LogFields;
}

export function createLogger(options: LoggerOptions): Logger {
  const sink = options.sink ?? process.stderr;
  const format = options.format;
  const pretty = format === 'pretty' || (format === 'auto' && sink.isTTY === true);
  const state: LoggerState = {
    rank: RANK[options.level],
    level: options.level,
    sink,
    pretty,
    color: options.color ?? (pretty && sink.isTTY === true),
    now: options.now ?? (() => new Date()),
  };
  return new StructuredLogger(state, options.fields ?? {});
}

interface LoggerState {
  rank: number;
  level: LogLevel;
  sink: LogSink;
  pretty: boolean;
  color: boolean;
  now: () => Date;
}

class StructuredLogger implements Logger {
  constructor(
    private readonly state: LoggerState,
    private readonly bound: LogFields,
  ) {}

  get level(): LogLevel {
    return this.state.level;
  }

  enabled(level: LogLevel): boolean {
    return level !== 'silent' && RANK[level] >= this.state.rank;
  }

  debug(message: string, fields?: LogFields): void {
    this.emit('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.emit('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.emit('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.emit('error', message, fields);
  }

  request(fields: RequestLogFields): void {
    const level: LogLevel = fields.status >= 500 ? 'error' : 'info';
    const { method, path, status, bytes, durationMs, user, ...extra } = fields;
    this.emit(level, 'request', {
      method,
      path,
      status,
      bytes: bytes ?? 0,
      durationMs: Math.round(durationMs * 10) / 10,
      ...(user !== undefined ? { user } : {}),
      ...extra,
    });
  }

  child(fields: LogFields): Logger {
    return new StructuredLogger(this.state, { ...this.bound, ...fields });
  }

  private emit(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    let line: string;
    try {
      const safe = redact({ ...this.bound, ...fields }) as LogFields;
      const time = this.state.now().toISOString();
      const msg = redactString(String(message));
      line = this.state.pretty ? prettyLine(time, level, msg, safe, this.state.color) : jsonLine(time, level, msg, safe);
    } catch (error) {
      // A logger must never throw into the code it observes.
      line = JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'log line failed', error: String(error) }) + '\n';
    }
    try {
      this.state.sink.write(line);
    } catch {
      // The sink is gone (closed pipe at shutdown): dropping the line is the only option.
    }
  }
}

function jsonLine(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  return JSON.stringify({ time, level, msg, ...fields }) + '\n';
}

const COLOURS: Record<LogLevel, string> = { debug: '90', info: '36', warn: '33', error: '31', silent: '0' };

function prettyLine(time: string, level: LogLevel, msg: string, fields: LogFields, color: boolean): string {
  const tag = level.toUpperCase().padEnd(5);
  const head = color ? `\x1b[${COLOURS[level]}m${tag}\x1b[0m` : tag;
  let text: string;
  let rest: LogFields = fields;
  if (msg === 'request' && typeof fields.method === 'string') {
    // Access lines read like a web server's: `GET /a/b 200 1234B 12.3ms alice`.
    const { method, path, status, bytes, durationMs, user, ...extra } = fields;
    text = `${String(method)} ${String(path)} ${String(status)} ${String(bytes)}B ${String(durationMs)}ms${user !== undefined ? ` ${String(user)}` : ''}`;
    rest = extra;
  } else {
    text = msg;
  }
  const stack = typeof rest.stack === 'string' ? rest.stack : undefined;
  const extras = Object.entries(rest)
    .filter(([k]) => k !== 'stack')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? quoteIfNeeded(v) : formatText('%j', v)}`);
  const tail = extras.length > 0 ? ` ${extras.join(' ')}` : '';
  return `${time.slice(11, 23)} ${head} ${text}${tail}\n${stack ? `${indent(stack)}\n` : ''}`;
}

function quoteIfNeeded(value: string): string {
  return /^[^\s"=]*$/.test(value) && value.length > 0 ? value : JSON.stringify(value);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Fields describing an error for a log line, with its stack (logs only, never clients). */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) {
    const fields: LogFields = { error: error.message, errorName: error.name };
    const code = (error as { code?: unknown }).code;
    if (code !== undefined) fields.code = code;
    if (error.stack) fields.stack = error.stack;
    return fields;
  }
  return { error: String(error) };
}

/** A logger that drops everything: the default for library code given no logger. */
export const silentLogger: Logger = createLogger({ level: 'silent', format: 'json', sink: { write: () => true } });
