/**
 * Jottacloud's own failure vocabulary (docs/jottacloud-protocol.md "Errors"). These typed errors
 * live only inside lib/jottacloud (and the account commands); backend-errors.ts turns them into
 * StorageError codes exactly once, at the edge.
 *
 * Every error carries a stable `code`: messages may be reworded, codes are not. Code branches on
 * them, and log lines print them (docs/errors.md lists them for operators).
 *
 * | code                   | class               | when                                                      |
 * |------------------------|---------------------|-----------------------------------------------------------|
 * | JOTTA_NOT_FOUND        | JottaHttpError      | 404: no such file, folder, device or mount point          |
 * | JOTTA_UNAUTHORIZED     | JottaHttpError      | 401 that a fresh access token did not cure                |
 * | JOTTA_FORBIDDEN        | JottaHttpError      | 403                                                       |
 * | JOTTA_CONFLICT         | JottaHttpError      | 409                                                       |
 * | JOTTA_RATE_LIMITED     | JottaHttpError      | 429 still there after the retries                         |
 * | JOTTA_QUOTA_EXCEEDED   | JottaHttpError      | 507, or any status whose exception names a full account   |
 * | JOTTA_SERVER_ERROR     | JottaHttpError      | another 5xx still there after the retries                 |
 * | JOTTA_HTTP_ERROR       | JottaHttpError      | any other non-2xx (400 bad name, 416, 420 short upload…)  |
 * | JOTTA_AUTH             | JottaAuthError      | the identity server refused the grant: log in again       |
 * | JOTTA_NETWORK          | JottaNetworkError   | reset, refused or timed out, also after the retries       |
 * | JOTTA_BAD_RESPONSE     | JottaProtocolError  | an answer this client cannot make sense of                |
 * | JOTTA_CONFIG           | JottaConfigError    | bad configuration or input (an unreadable login token)    |
 * | JOTTA_ABORTED          | JottaAbortError     | the caller aborted                                        |
 * | JOTTA_CHANGED          | JottaChangedError   | another client wrote a new revision during a read         |
 * | JOTTA_INTEGRITY        | JottaIntegrityError | the stored size or MD5 differs from what was sent         |
 */
import type { JsonErrorBody, OAuthErrorBody, XmlErrorBody } from './wire-types.js';

/** The codes of a JottaHttpError, chosen by its status (and exception name). */
export const JOTTA_HTTP_ERROR_CODES = [
  'JOTTA_NOT_FOUND',
  'JOTTA_UNAUTHORIZED',
  'JOTTA_FORBIDDEN',
  'JOTTA_CONFLICT',
  'JOTTA_RATE_LIMITED',
  'JOTTA_QUOTA_EXCEEDED',
  'JOTTA_SERVER_ERROR',
  'JOTTA_HTTP_ERROR',
] as const;

export type JottaHttpErrorCode = (typeof JOTTA_HTTP_ERROR_CODES)[number];

export const JOTTA_ERROR_CODES = [
  ...JOTTA_HTTP_ERROR_CODES,
  'JOTTA_AUTH',
  'JOTTA_NETWORK',
  'JOTTA_BAD_RESPONSE',
  'JOTTA_CONFIG',
  'JOTTA_ABORTED',
  'JOTTA_CHANGED',
  'JOTTA_INTEGRITY',
] as const;

export type JottaErrorCode = (typeof JOTTA_ERROR_CODES)[number];

export abstract class JottaError extends Error {
  abstract readonly code: JottaErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A full account, recognised by the exception name only: a detail holds the path, and a file may well be called quota.bin. */
const QUOTA_EXCEPTION = /quota|storagefull|notenoughspace|insufficientstorage|overquota/i;

function httpErrorCode(status: number, exception: string | undefined): JottaHttpErrorCode {
  if (status === 507 || QUOTA_EXCEPTION.test(exception ?? '')) return 'JOTTA_QUOTA_EXCEEDED';
  if (status >= 500) return 'JOTTA_SERVER_ERROR';
  switch (status) {
    case 401:
      return 'JOTTA_UNAUTHORIZED';
    case 403:
      return 'JOTTA_FORBIDDEN';
    case 404:
      return 'JOTTA_NOT_FOUND';
    case 409:
      return 'JOTTA_CONFLICT';
    case 429:
      return 'JOTTA_RATE_LIMITED';
    default:
      return 'JOTTA_HTTP_ERROR';
  }
}

/** A non-2xx answer from JFS or the API host, decoded from XML (JFS), JSON (API) or plain text. */
export class JottaHttpError extends JottaError {
  override readonly name = 'JottaHttpError';
  readonly code: JottaHttpErrorCode;
  /** The HTTP status (the XML `<code>` mirrors it). */
  readonly status: number;
  /** Java exception short name from the message or `error_id`, e.g. NoSuchFileException. */
  readonly exception?: string;
  readonly detail?: string;
  readonly reason?: string;
  readonly xId?: string;
  /** Server-requested wait (Retry-After), ms. */
  readonly retryAfterMs?: number;

  constructor(init: {
    status: number;
    detail?: string;
    exception?: string;
    reason?: string;
    xId?: string;
    retryAfterMs?: number;
    url?: string;
  }) {
    // rclone's wording: `error {code}: {message} ({reason})`.
    super(`error ${init.status}: ${init.detail ?? '(no message)'}${init.reason ? ` (${init.reason})` : ''}`);
    this.status = init.status;
    this.code = httpErrorCode(init.status, init.exception);
    this.detail = init.detail;
    this.exception = init.exception;
    this.reason = init.reason;
    this.xId = init.xId;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The identity server refused a grant. The user must log in again; never retried. */
export class JottaAuthError extends JottaError {
  override readonly name = 'JottaAuthError';
  readonly code = 'JOTTA_AUTH';
  constructor(
    readonly status: number | undefined,
    readonly error: string,
    readonly description?: string,
  ) {
    super(`authentication failed${status ? ` (${status})` : ''}: ${error}${description ? ` — ${description}` : ''}`);
  }
}

/** The transport failed (reset, refused, timeout) and retrying did not help. */
export class JottaNetworkError extends JottaError {
  override readonly name = 'JottaNetworkError';
  readonly code = 'JOTTA_NETWORK';
}

/** The service answered with something this client cannot make sense of. */
export class JottaProtocolError extends JottaError {
  override readonly name = 'JottaProtocolError';
  readonly code = 'JOTTA_BAD_RESPONSE';
}

/** Bad configuration or input (e.g. an unreadable login token). */
export class JottaConfigError extends JottaError {
  override readonly name = 'JottaConfigError';
  readonly code = 'JOTTA_CONFIG';
}

/** The caller aborted. */
export class JottaAbortError extends JottaError {
  override readonly name = 'JottaAbortError';
  readonly code = 'JOTTA_ABORTED';
}

/** The file is no longer the revision the caller read its metadata from (another client wrote it). */
export class JottaChangedError extends JottaError {
  override readonly name = 'JottaChangedError';
  readonly code = 'JOTTA_CHANGED';
}

/** The stored content does not match what was sent (size or MD5). */
export class JottaIntegrityError extends JottaError {
  override readonly name = 'JottaIntegrityError';
  readonly code = 'JOTTA_INTEGRITY';
}

export type AnyJottaError =
  | JottaHttpError
  | JottaAuthError
  | JottaNetworkError
  | JottaProtocolError
  | JottaConfigError
  | JottaAbortError
  | JottaChangedError
  | JottaIntegrityError;

/** A Jottacloud failure, of one particular `code` when given. */
export function isJottaError<C extends JottaErrorCode>(error: unknown, code?: C): error is AnyJottaError & { code: C } {
  return error instanceof JottaError && (code === undefined || error.code === code);
}

/** `no.jotta.backup.errors.NoSuchFileException: File … does not exist` → NoSuchFileException. */
export function exceptionName(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const m = /^\s*(?:[\w$]+\.)*([\w$]*Exception)\b/.exec(message);
  return m?.[1];
}

function tryJson(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Decodes an error body of any of the three shapes. When the body is not recognised the status
 * line stands in for the message (rclone does the same).
 */
export function decodeHttpError(
  status: number,
  statusText: string,
  body: string,
  xmlError: XmlErrorBody | undefined,
  retryAfterMs?: number,
): JottaHttpError {
  if (xmlError) {
    return new JottaHttpError({
      status,
      detail: xmlError.message ?? statusText,
      exception: exceptionName(xmlError.message),
      reason: xmlError.reason,
      xId: xmlError.xId,
      retryAfterMs,
    });
  }
  const json = tryJson(body) as (JsonErrorBody & Partial<OAuthErrorBody>) | undefined;
  if (json && typeof json === 'object') {
    const detail = json.message ?? json.error_description ?? json.error ?? statusText;
    return new JottaHttpError({
      status,
      detail,
      exception: json.error_id ?? exceptionName(json.message),
      reason: json.cause,
      xId: json['x-id'],
      retryAfterMs,
    });
  }
  const plain = body.trim().slice(0, 200);
  return new JottaHttpError({ status, detail: plain || statusText || `HTTP ${status}`, retryAfterMs });
}

/** OAuth error JSON, or undefined. */
export function decodeOAuthError(body: string): OAuthErrorBody | undefined {
  const json = tryJson(body) as Partial<OAuthErrorBody> | undefined;
  return json && typeof json.error === 'string' ? { error: json.error, error_description: json.error_description } : undefined;
}
