/**
 * The one place where Jottacloud's failures become StorageError codes (foreign vocabulary is
 * translated once, where it enters). Nothing outside lib/jottacloud ever sees a Jottacloud status code or exception name.
 */
import { AbortError } from 'node-fetch';
import { StorageError, type StorageErrorCode } from '../storage/errors.js';
import { isAbortError } from '../util/retry.js';
import { isJottaError, JottaHttpError, type JottaErrorCode, type JottaHttpErrorCode } from './errors.js';

/** Each failure that is not an HTTP answer means one thing to the layers above. */
const STORAGE_CODE_OF: { readonly [C in Exclude<JottaErrorCode, JottaHttpErrorCode>]: StorageErrorCode } = {
  JOTTA_AUTH: 'AUTH_EXPIRED',
  JOTTA_ABORTED: 'ABORTED',
  JOTTA_CHANGED: 'CHANGED',
  JOTTA_NETWORK: 'UNAVAILABLE',
  JOTTA_BAD_RESPONSE: 'UNAVAILABLE',
  JOTTA_INTEGRITY: 'INVALID_ARGUMENT',
  JOTTA_CONFIG: 'INVALID_ARGUMENT',
};

function httpCode(error: JottaHttpError): StorageErrorCode {
  const exception = error.exception ?? '';
  const detail = error.detail ?? '';
  if (error.code === 'JOTTA_QUOTA_EXCEEDED') return 'QUOTA_EXCEEDED';
  switch (error.status) {
    case 400:
      // "JFS file names may not be longer than 255 characters".
      if (/longer than \d+ characters|name too long/i.test(detail)) return 'NAME_TOO_LONG';
      // InvalidArgumentException is about names on JFS paths; a bare "400 Bad request" (not XML)
      // is what a `%` in a name gets (docs/jottacloud-protocol.md "Name encoding").
      if (exception === 'InvalidArgumentException' || error.exception === undefined) return 'INVALID_NAME';
      return 'INVALID_ARGUMENT';
    case 401:
      return 'AUTH_EXPIRED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ALREADY_EXISTS';
    case 413:
      return 'QUOTA_EXCEEDED';
    case 416:
      return 'INVALID_ARGUMENT';
    case 423:
      return 'LOCKED';
    default:
      if (exception === 'UniqueFileException') return 'ALREADY_EXISTS';
      if (exception === 'NoSuchFileException' || exception === 'NoSuchPathException' || exception === 'NoSuchMountPointException') return 'NOT_FOUND';
      // 420 (partial upload), 429 and 5xx: the service could not finish now.
      return error.status >= 400 && error.status < 500 && error.status !== 420 && error.status !== 429 ? 'INVALID_ARGUMENT' : 'UNAVAILABLE';
  }
}

export function storageCodeOf(error: unknown): StorageErrorCode {
  if (error instanceof StorageError) return error.code;
  if (isJottaError(error)) return error instanceof JottaHttpError ? httpCode(error) : STORAGE_CODE_OF[error.code];
  if (error instanceof AbortError || isAbortError(error)) return 'ABORTED';
  if (error instanceof RangeError || error instanceof TypeError) return 'INVALID_ARGUMENT';
  return 'UNAVAILABLE';
}

/** Converts once; a StorageError passes through untouched. */
export function toStorageError(error: unknown, operation: string, path?: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = storageCodeOf(error);
  const what = path === undefined ? operation : `${operation} ${path}`;
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError(code, `${what}: ${message}`, { cause: error });
}
