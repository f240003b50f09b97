/**
 * The storage-neutral error vocabulary. Jottacloud's XML/JSON errors become one of these codes
 * exactly once, inside lib/jottacloud; lib/dav turns them into HTTP statuses in one table.
 */
export const STORAGE_ERROR_CODES = [
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'NOT_A_DIRECTORY',
  'IS_A_DIRECTORY',
  'NOT_EMPTY',
  'PARENT_MISSING',
  'NAME_COLLISION',
  'INVALID_NAME',
  'NAME_TOO_LONG',
  'PERMISSION_DENIED',
  'QUOTA_EXCEEDED',
  'LOCKED',
  'UNAVAILABLE',
  'AUTH_EXPIRED',
  'INVALID_ARGUMENT',
  'ABORTED',
  /** The content is no longer the revision the caller's entry describes (another writer changed it). */
  'CHANGED',
] as const;

export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}

/**
 * An operation given up on purpose before it finished (an upload cut at shutdown): nothing was
 * committed and what was stored before is intact. Callers tell it from a failure by its code
 * (ABORTED), which survives wrapping by HTTP clients that copy a cause's code.
 */
export class AbortedError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}
