import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../respond.js';

export const ALLOWED_METHODS = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK';

/**
 * Answered on every path, the server root included even outside the base path: Windows'
 * DavClnt probes `OPTIONS /` whatever the mount point, and Office looks for MS-Author-Via there.
 */
export function options(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, 200, '', {
    DAV: '1, 2',
    'MS-Author-Via': 'DAV',
    Allow: ALLOWED_METHODS,
    'Accept-Ranges': 'bytes',
  });
}
