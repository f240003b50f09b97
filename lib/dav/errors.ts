import { isStorageError, type StorageError, type StorageErrorCode } from '../storage/errors.js';

/**
 * The one translation of StorageError codes into HTTP statuses. The mapped type makes the
 * compiler reject this table when a code is added to lib/storage/errors.ts and not mapped here.
 * Methods override single codes where RFC 4918 wants a method-specific status (MKCOL on an
 * existing resource is 405, COPY onto an existing one with Overwrite: F is 412).
 */
export const STATUS_BY_CODE: { readonly [C in StorageErrorCode]: number } = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 405,
  NOT_A_DIRECTORY: 409,
  IS_A_DIRECTORY: 405,
  NOT_EMPTY: 409,
  PARENT_MISSING: 409,
  NAME_COLLISION: 409,
  INVALID_NAME: 400,
  NAME_TOO_LONG: 414,
  PERMISSION_DENIED: 403,
  QUOTA_EXCEEDED: 507,
  LOCKED: 423,
  UNAVAILABLE: 503,
  // The bridge's own upstream credentials expired: not the WebDAV client's fault.
  AUTH_EXPIRED: 503,
  INVALID_ARGUMENT: 400,
  ABORTED: 400,
  // A file that keeps changing under a read (the read was retried on the new revision already).
  CHANGED: 503,
};

export type StatusOverrides = Partial<Record<StorageErrorCode, number>>;

/** The RFC 4918 precondition/postcondition elements this server sends in DAV:error bodies. */
export type DavCondition =
  | 'lock-token-submitted'
  | 'lock-token-matches-request-uri'
  | 'no-conflicting-lock'
  | 'no-external-entities'
  | 'propfind-finite-depth';

/**
 * An error answered with `status` and, when `condition` is set, a DAV:error body. Built only
 * through the named constructors (one per status, sabre/dav style), so a throw site says what
 * went wrong rather than which number to send; each accepts only the conditions this server
 * sends with its status.
 */
export class DavError extends Error {
  override readonly name = 'DavError';
  readonly condition?: DavCondition;
  readonly hrefs: string[];
  readonly headers: Record<string, string>;
  /**
   * For errors RFC 4918 has no condition for (a name the service cannot store): a DAV:error
   * body in sabre/Nextcloud's shape (`s:exception`, `s:message`), which those clients show.
   */
  readonly exception?: string;

  private constructor(
    readonly status: number,
    message: string,
    parts: { condition?: DavCondition | undefined; hrefs?: string[]; headers?: Record<string, string>; exception?: string | undefined } = {},
  ) {
    super(message);
    this.condition = parts.condition;
    this.hrefs = parts.hrefs ?? [];
    this.headers = parts.headers ?? {};
    this.exception = parts.exception;
  }

  /** 400: the request is malformed (a header, the target, the XML body). */
  static badRequest(message: string, condition?: 'no-external-entities'): DavError {
    return new DavError(400, message, { condition });
  }

  /** 401 with the challenge the client answers with credentials. */
  static unauthorized(message: string, challenge: string): DavError {
    return new DavError(401, message, { headers: { 'WWW-Authenticate': challenge } });
  }

  /** 403: understood, and refused whoever asks again. */
  static forbidden(message: string, condition?: 'propfind-finite-depth'): DavError {
    return new DavError(403, message, { condition });
  }

  static notFound(message: string): DavError {
    return new DavError(404, message);
  }

  /** 405; `allow` lists the methods that are, when the method itself is unknown. */
  static methodNotAllowed(message: string, allow?: string): DavError {
    return new DavError(405, message, { headers: allow === undefined ? {} : { Allow: allow } });
  }

  /** 409: the request clashes with the state of the tree (e.g. a missing parent collection). */
  static conflict(message: string, condition?: 'lock-token-matches-request-uri'): DavError {
    return new DavError(409, message, { condition });
  }

  /** 412: a conditional header (If, If-Match, Overwrite: F…) evaluated to false. */
  static preconditionFailed(message = 'precondition failed', condition?: 'lock-token-matches-request-uri'): DavError {
    return new DavError(412, message, { condition });
  }

  static payloadTooLarge(message: string): DavError {
    return new DavError(413, message);
  }

  static uriTooLong(message: string): DavError {
    return new DavError(414, message);
  }

  static unsupportedMediaType(message: string): DavError {
    return new DavError(415, message);
  }

  /** 423 naming the root of each lock in the way. */
  static locked(message: string, condition: 'lock-token-submitted' | 'no-conflicting-lock', lockRoots: string[]): DavError {
    return new DavError(423, message, { condition, hrefs: lockRoots });
  }

  static tooManyRequests(message: string, retryAfterSeconds: number): DavError {
    return new DavError(429, message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }

  /** 502: the request names another server (a Destination elsewhere), which this one cannot reach. */
  static badGateway(message: string): DavError {
    return new DavError(502, message);
  }

  static serviceUnavailable(message: string, retryAfterSeconds: number): DavError {
    return new DavError(503, message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }

  /** A StorageError with the status STATUS_BY_CODE (and the method's overrides) gives it. */
  static fromStorage(error: StorageError, overrides: StatusOverrides = {}): DavError {
    const retry = error.code === 'UNAVAILABLE' || error.code === 'AUTH_EXPIRED' || error.code === 'CHANGED';
    // A full account must reach the client in a DAV error body, not only in a status. A 5xx body
    // is normally blank (no internals), but a full account is the client's to act on: a fixed
    // text, because the storage message carries upstream exception names.
    const quota = error.code === 'QUOTA_EXCEEDED';
    const message = quota ? 'insufficient storage: the quota is exceeded or the file is too large to store' : error.message;
    const exception = error.code === 'NAME_TOO_LONG' ? 'NameTooLong' : quota ? 'InsufficientStorage' : undefined;
    const dav = new DavError(overrides[error.code] ?? STATUS_BY_CODE[error.code], message, { headers: retry ? { 'Retry-After': '30' } : {}, exception });
    // Kept for the access log: a 503 must say which upstream failure it stands for.
    dav.cause = error;
    return dav;
  }
}

export function statusOf(error: unknown, overrides: StatusOverrides = {}): number {
  if (error instanceof DavError) return error.status;
  if (isStorageError(error)) return overrides[error.code] ?? STATUS_BY_CODE[error.code];
  return 500;
}

/** Converts a StorageError into a DavError with the method's overrides; rethrows anything else. */
export function asDavError(error: unknown, overrides: StatusOverrides = {}): DavError {
  if (error instanceof DavError) return error;
  if (isStorageError(error)) return DavError.fromStorage(error, overrides);
  throw error;
}

/** Runs `work`, translating StorageErrors with the method's overrides. */
export async function storage<T>(work: Promise<T>, overrides: StatusOverrides = {}): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw asDavError(error, overrides);
  }
}
