import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from '../respond.js';
import { APP_SCRIPT } from './app-script.js';
import { APP_STYLE } from './app-style.js';
import { FAVICON_SVG } from './icons.js';

/**
 * The folder page's script, style sheet and icon. They are TypeScript string modules, so they
 * ship inside the compiled package with no copy step. Each is served below the WebDAV tree at
 * `/_jottadav/<name>.<content hash>.<ext>`: the hash lets browsers cache them for good (a new
 * version has a new name), and makes it vanishingly unlikely that the name hides a user's file.
 */
interface Asset {
  body: string;
  type: string;
}

function named(stem: string, extension: string, body: string): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  return `/_jottadav/${stem}.${hash}.${extension}`;
}

/** Client paths (below the base path) of the page's assets. */
export const ASSET_PATHS = {
  script: named('app', 'js', APP_SCRIPT),
  style: named('app', 'css', APP_STYLE),
  icon: named('icon', 'svg', FAVICON_SVG),
} as const;

const ASSETS = new Map<string, Asset>([
  [ASSET_PATHS.script, { body: APP_SCRIPT, type: 'text/javascript; charset=utf-8' }],
  [ASSET_PATHS.style, { body: APP_STYLE, type: 'text/css; charset=utf-8' }],
  [ASSET_PATHS.icon, { body: FAVICON_SVG, type: 'image/svg+xml' }],
]);

/**
 * Answers GET/HEAD for one of the page's assets and returns true; false for any other request.
 * Assets are the same for everyone and hold no user data, so they are served before
 * authentication (the login prompt is the page's, not each asset's).
 */
export function serveAsset(req: IncomingMessage, res: ServerResponse, method: string, clientPath: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const asset = ASSETS.get(clientPath);
  if (!asset) return false;
  send(req, res, 200, asset.body, {
    'Content-Type': asset.type,
    'Cache-Control': 'public, max-age=31536000, immutable',
    'X-Content-Type-Options': 'nosniff',
  });
  return true;
}
