import { isStorageError, type StorageErrorCode } from '../storage/errors.js';

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

/** RFC 4918 §16 precondition/postcondition element names used in DAV:error bodies. */
export type DavCondition =
  | 'lock-token-submitted'
  | 'lock-token-matches-request-uri'
  | 'no-conflicting-lock'
  | 'no-external-entities'
  | 'preserved-live-properties'
  | 'propfind-finite-depth'
  | 'cannot-modify-protected-property';

/** An error answered with `status` and, when `condition` is set, a DAV:error body. */
export class DavError extends Error {
  override readonly name = 'DavError';

  constructor(
    readonly status: number,
    message: string,
    readonly condition?: DavCondition,
    /** hrefs listed inside the condition element (e.g. the locked resource's root). */
    readonly hrefs: string[] = [],
    readonly headers: Record<string, string> = {},
    /**
     * For errors RFC 4918 has no condition for (a name the service cannot store): a DAV:error
     * body in sabre/Nextcloud's shape (`s:exception`, `s:message`), which those clients show.
     */
    readonly exception?: string,
  ) {
    super(message);
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
  if (isStorageError(error)) {
    const headers: Record<string, string> = error.code === 'UNAVAILABLE' || error.code === 'AUTH_EXPIRED' || error.code === 'CHANGED' ? { 'Retry-After': '30' } : {};
    // The limit must reach the client in a DAV error body, not only in a status (issue 5, Limits).
    // A 5xx body is normally blank (no internals), but a full account is the client's to act on:
    // a fixed text, because the storage message carries upstream exception names.
    const quota = error.code === 'QUOTA_EXCEEDED';
    const exception = error.code === 'NAME_TOO_LONG' ? 'NameTooLong' : quota ? 'InsufficientStorage' : undefined;
    const message = quota ? 'insufficient storage: the quota is exceeded or the file is too large to store' : error.message;
    const dav = new DavError(statusOf(error, overrides), message, undefined, [], headers, exception);
    // Kept for the access log: a 503 must say which upstream failure it stands for.
    dav.cause = error;
    return dav;
  }
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
