/**
 * Jottacloud's own failure vocabulary (docs/jottacloud-protocol.md "Errors"). These typed errors
 * live only inside lib/jottacloud; backend-errors.ts turns them into StorageError codes exactly
 * once, at the edge.
 */
import type { JsonErrorBody, OAuthErrorBody, XmlErrorBody } from './wire-types.js';

export abstract class JottaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A non-2xx answer from JFS or the API host, decoded from XML (JFS), JSON (API) or plain text. */
export class JottaHttpError extends JottaError {
  override readonly name = 'JottaHttpError';
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
}

/** The service answered with something this client cannot make sense of. */
export class JottaProtocolError extends JottaError {
  override readonly name = 'JottaProtocolError';
}

/** Bad configuration or input (e.g. an unreadable login token). */
export class JottaConfigError extends JottaError {
  override readonly name = 'JottaConfigError';
}

/** The caller aborted. */
export class JottaAbortError extends JottaError {
  override readonly name = 'JottaAbortError';
}

/** The file is no longer the revision the caller read its metadata from (another client wrote it). */
export class JottaChangedError extends JottaError {
  override readonly name = 'JottaChangedError';
}

/** The stored content does not match what was sent (size or MD5). */
export class JottaIntegrityError extends JottaError {
  override readonly name = 'JottaIntegrityError';
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
