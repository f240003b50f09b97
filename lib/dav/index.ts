export { createDavHandler, type DavHandler, type DavLogEntry, type DavServerOptions } from './handler.js';
export { startDavServer, type RunningDavServer, type StartOptions } from './server.js';
export { hashPassword, verifyPassword, type AuthOptions, type DavUser } from './auth.js';
export { STATUS_BY_CODE } from './errors.js';
export type { LockTimeoutBounds } from './request.js';
