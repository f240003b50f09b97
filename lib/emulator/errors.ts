/**
 * One error type for every route. `render` picks the wire shape: JFS XML, API JSON,
 * or the bare text the service sends for a `%` in a name.
 */
const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 411: 'Length Required', 413: 'Payload Too Large', 416: 'Requested Range Not Satisfiable',
  420: 'Method Failure', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout', 507: 'Insufficient Storage', 509: 'Bandwidth Limit Exceeded',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Error';
}

export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    /** Java exception class, e.g. `no.jotta.backup.errors.NoSuchPathException`. */
    readonly exception: string,
    readonly detail = '',
    /** Send `{status} Bad request` as plain text instead of a structured body (the `%` quirk). */
    readonly bare = false,
  ) {
    super(detail ? `${exception}: ${detail}` : exception);
  }

  /** The short exception name, used as `error_id` in API JSON. */
  get errorId(): string {
    return this.exception.slice(this.exception.lastIndexOf('.') + 1);
  }
}

const E = 'no.jotta.backup.errors.';

export const errors = {
  noSuchPath: (path: string) => new EmulatorError(404, `${E}NoSuchPathException`, `Directory ${path}`),
  noSuchFile: (path: string) => new EmulatorError(404, `${E}NoSuchFileException`, `File ${path} does not exist`),
  noSuchSource: (path: string) => new EmulatorError(404, `${E}NoSuchFileException`, `Source file ${path} does not exist`),
  noSuchMountPoint: (name: string) => new EmulatorError(404, `${E}NoSuchMountPointException`, name),
  noSuchDevice: (name: string) => new EmulatorError(404, `${E}NoSuchDeviceException`, name),
  invalid: (detail: string) => new EmulatorError(400, `${E}InvalidArgumentException`, detail),
  tooLong: () => new EmulatorError(400, `${E}InvalidArgumentException`, 'JFS file names may not be longer than 255 characters'),
  percent: () => new EmulatorError(400, 'Bad request', '', true),
  noUsername: () =>
    new EmulatorError(400, 'org.springframework.security.core.userdetails.UsernameNotFoundException', 'Username not found in url!'),
  badCredentials: () =>
    new EmulatorError(401, 'org.springframework.security.authentication.BadCredentialsException', 'Bad credentials'),
  accessDenied: () => new EmulatorError(403, 'org.springframework.security.access.AccessDeniedException', 'Access is denied'),
  range: (detail: string) => new EmulatorError(416, `${E}RequestedRangeNotSatisfiedException`, detail),
  notFound: (path: string) => new EmulatorError(404, 'org.springframework.web.servlet.NoHandlerFoundException', `No handler found for ${path}`),
  methodNotAllowed: (method: string) =>
    new EmulatorError(405, 'org.springframework.web.HttpRequestMethodNotSupportedException', `Request method '${method}' not supported`),
  // Status unconfirmed: no quota error was ever captured; 507 maps naturally onto WebDAV.
  quota: () => new EmulatorError(507, `${E}QuotaExceededException`, 'Storage quota exceeded'),
  incomplete: (received: number, total: number) =>
    new EmulatorError(420, 'IncompleteUploadOpenApiException', `Incomplete upload: received ${received} of ${total} bytes`),
  corrupt: () => new EmulatorError(400, 'CorruptUploadOpenApiException', 'MD5 of the uploaded bytes does not match'),
  noSuchUpload: (id: string) => new EmulatorError(404, `${E}NoSuchFileException`, `Upload ${id} does not exist`),
  badJson: (detail: string) => new EmulatorError(400, `${E}InvalidArgumentException`, `Malformed JSON: ${detail}`),
  tooLarge: () => new EmulatorError(413, `${E}InvalidArgumentException`, 'Request body too large'),
};
