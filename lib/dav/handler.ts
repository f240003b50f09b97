import type { IncomingMessage, ServerResponse } from 'node:http';
import { isStorageError } from '../storage/errors.js';
import { namespaced, type KeyValueStore } from '../store/key-value-store.js';
import type { Vfs } from '../vfs/index.js';
import { Authenticator, type AuthOptions } from './auth.js';
import { serveAsset } from './browse/assets.js';
import { DeadProps } from './dead-props.js';
import { asDavError, DavError } from './errors.js';
import { decodeRequestPath, Hrefs, normaliseBasePath } from './href.js';
import { LockManager } from './locks.js';
import { copyOrMove } from './methods/copy-move.js';
import { del } from './methods/delete.js';
import { get } from './methods/get.js';
import { lock } from './methods/lock.js';
import { mkcol } from './methods/mkcol.js';
import { ALLOWED_METHODS, options as answerOptions } from './methods/options.js';
import { propfind } from './methods/propfind.js';
import { proppatch } from './methods/proppatch.js';
import { put } from './methods/put.js';
import { unlock } from './methods/unlock.js';
import { MAX_URI_LENGTH, XML_BODY_LIMIT } from './limits.js';
import { contentLength, type DavContext, type LockTimeoutBounds } from './request.js';
import { send, sendDavError } from './respond.js';
import { recordDavRequest } from '../util/metrics.js';
import { errorCodes } from '../util/retry.js';

export interface DavLogEntry {
  method: string;
  path: string;
  /** 0 when no response was sent at all. */
  status: number;
  bytes: number;
  durationMs: number;
  user?: string;
  /** Set for 5xx: the internal error or upstream cause, for the log only (never sent to the client). */
  error?: string;
  /** The response was not completed: the connection closed first (client gone, shutdown). */
  aborted?: boolean;
}

export interface DavServerOptions {
  /** One Vfs, or one per authenticated user (undefined for anonymous access). */
  vfs: Vfs | ((user: string | undefined) => Vfs);
  /**
   * With one Vfs per user: true when their resourceKey()s name the same resource alike for every
   * user (views of one account with overlapping roots), so that they share locks and dead
   * properties. Otherwise each user's side state is kept apart, since their paths may collide.
   */
  sharedResourceKeys?: boolean;
  /** Locks and dead properties live here (under the 'dav' namespace). */
  store: KeyValueStore;
  /** Where the WebDAV tree is mounted: '/' or a prefix such as '/dav'. */
  basePath: string;
  /** Users, anonymous access, or both; there is no implicit anonymous access. */
  auth: AuthOptions;
  /** The lifetime a LOCK gets when it asks for none, and the bounds of what it may ask for. */
  lockTimeout: LockTimeoutBounds;
  logger?: (entry: DavLogEntry) => void;
}

const WRITE_METHODS = new Set(['PUT', 'DELETE', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK']);

type Method = (ctx: DavContext) => Promise<void>;

const METHODS: Record<string, Method> = {
  GET: get,
  HEAD: get,
  PUT: put,
  DELETE: del,
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  MKCOL: mkcol,
  COPY: (ctx) => copyOrMove(ctx, false),
  MOVE: (ctx) => copyOrMove(ctx, true),
  LOCK: lock,
  UNLOCK: unlock,
};

interface UserState {
  vfs: Vfs;
  locks: LockManager;
  deadProps: DeadProps;
}

/**
 * The request listener. Register `checkContinue` for the server's 'checkContinue' event so that
 * `100 Continue` goes out only after auth and preconditions passed (startDavServer does);
 * without it Node answers 100 Continue itself before the handler runs.
 */
export type DavHandler = ((req: IncomingMessage, res: ServerResponse) => void) & {
  checkContinue: (req: IncomingMessage, res: ServerResponse) => void;
};

export function createDavHandler(options: DavServerOptions): DavHandler {
  const basePath = normaliseBasePath(options.basePath);
  const hrefs = new Hrefs(basePath);
  const auth = new Authenticator(options.auth);
  const lockTimeout = options.lockTimeout;
  const states = new Map<string, UserState>();
  const awaitingContinue = new WeakSet<IncomingMessage>();

  const stateFor = (user: string | undefined): UserState => {
    const perUser = typeof options.vfs === 'function';
    const id = perUser ? `u:${user ?? ''}` : 'shared';
    const separate = perUser && options.sharedResourceKeys !== true;
    let state = states.get(id);
    if (!state) {
      const vfs = typeof options.vfs === 'function' ? options.vfs(user) : options.vfs;
      // Per-user trees may use the same paths: their side state must not meet.
      const store = namespaced(options.store, separate ? `dav:${id}` : 'dav');
      const keyOf = (path: string) => vfs.resourceKey(path);
      state = { vfs, locks: new LockManager(namespaced(store, 'locks'), keyOf), deadProps: new DeadProps(namespaced(store, 'props'), keyOf) };
      states.set(id, state);
    }
    return state;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, log: { path: string; user?: string; error?: string }) => {
    const method = (req.method ?? '').toUpperCase();
    const declared = contentLength(req);
    if (Number.isNaN(declared)) throw DavError.badRequest('malformed Content-Length');
    // Decided from the header alone: nothing of a huge declared body is read or allocated.
    if (method !== 'PUT' && declared !== undefined && declared > XML_BODY_LIMIT) throw DavError.payloadTooLarge('request body too large');
    if ((req.url ?? '').length > MAX_URI_LENGTH) throw DavError.uriTooLong(`the request target is longer than ${MAX_URI_LENGTH} characters`);
    const rawPath = requestPath(req.url ?? '/');
    log.path = rawPath;
    const decoded = decodeRequestPath(rawPath, basePath);
    if (decoded && serveAsset(req, res, method, decoded.path)) return;

    const who = await auth.authenticate(req);
    if (!who.ok) {
      if (who.status === 429) throw DavError.tooManyRequests('too many failed logins', who.retryAfterSeconds ?? 60);
      throw DavError.unauthorized('authentication required', auth.challenge());
    }
    if (who.user !== undefined) log.user = who.user;
    if (method === 'OPTIONS') {
      answerOptions(req, res);
      return;
    }
    // Own properties only: 'constructor' or 'toString' must not resolve to Object's.
    const run = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
    if (!run) throw DavError.methodNotAllowed(`${method} is not supported`, ALLOWED_METHODS);
    if (!decoded) throw DavError.notFound('outside the WebDAV tree');
    if (who.readOnly && WRITE_METHODS.has(method)) throw DavError.forbidden('this user may only read');

    const state = stateFor(who.user);
    let continued = false;
    const ctx: DavContext = {
      req,
      res,
      method,
      path: decoded.path,
      trailingSlash: decoded.trailingSlash,
      user: who.user,
      readOnly: who.readOnly,
      vfs: state.vfs,
      locks: state.locks,
      deadProps: state.deadProps,
      hrefs,
      lockTimeout,
      continue: () => {
        if (!continued && awaitingContinue.has(req) && !res.headersSent) {
          continued = true;
          res.writeContinue();
        }
      },
    };
    await run(ctx);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const log: { path: string; user?: string; error?: string } = { path: loggablePath(req.url ?? '') };
    let bytes = 0;
    // Stream errors after a client disconnect must never become uncaught exceptions.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const measure = (chunk: unknown) => {
      if (typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) bytes += chunk.length;
    };
    // Body bytes read, for the metrics: every way of reading a stream emits 'data', so counting
    // there sees them all without changing how (or whether) the body is consumed.
    let bytesIn = 0;
    const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
    req.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && args[0] instanceof Uint8Array) bytesIn += args[0].length;
      return emit(event, ...args);
    }) as typeof req.emit;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      measure(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') measure(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once('close', () => {
      recordDavRequest({ method: req.method ?? '', status: res.headersSent ? res.statusCode : 0, durationMs: performance.now() - started, bytesIn, bytesOut: bytes });
      options.logger?.({
        method: req.method ?? '',
        path: log.path,
        // No answer went out (the connection was cut first): 0, not Node's default 200.
        status: res.headersSent ? res.statusCode : 0,
        bytes,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(log.user !== undefined ? { user: log.user } : {}),
        ...(log.error !== undefined ? { error: log.error } : {}),
        ...(!res.writableFinished ? { aborted: true } : {}),
      });
    });
    handle(req, res, log).catch((error: unknown) => {
      try {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof DavError || isStorageError(error)) {
          const dav = asDavError(error);
          // Server-side failures name their cause in the log line (the logger redacts secrets).
          if (dav.status >= 500) log.error = causeChain(dav);
          sendDavError(req, res, dav);
          return;
        }
        log.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
        send(req, res, 500, 'internal error\n', { 'Content-Type': 'text/plain; charset=utf-8' });
      } catch {
        res.destroy();
      }
    });
  };
  return Object.assign(listener, {
    checkContinue: (req: IncomingMessage, res: ServerResponse) => {
      awaitingContinue.add(req);
      listener(req, res);
    },
  });
}

/** A target too long to be served is logged by its start and length, not in full. */
function loggablePath(target: string): string {
  return target.length > MAX_URI_LENGTH ? `${target.slice(0, 200)}… (${target.length} characters)` : target;
}

/** The path part of the request target: origin-form, or absolute-form from proxies. */
function requestPath(target: string): string {
  let path = target === '*' ? '/' : target;
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      throw DavError.badRequest('malformed request target');
    }
  }
  // A fragment never belongs in a request target (RFC 9112 §3.2); litmus delete_fragment
  // flags servers that strip it and act on the parent collection.
  if (path.includes('#')) throw DavError.badRequest('a fragment in the request target');
  const cut = path.indexOf('?');
  return cut >= 0 ? path.slice(0, cut) : path;
}

/**
 * `message ← cause ← cause… [CODE ← CODE…]`, a few levels deep: what an operator needs to read a
 * 5xx. The codes (StorageError's, Jottacloud's JOTTA_*, Node's E*) stay stable when messages are
 * reworded, so they are what to search the logs for.
 */
function causeChain(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (!parts.some((p) => p.includes(message))) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  const codes = errorCodes(error);
  return codes.length > 0 ? `${parts.join(' ← ')} [${codes.join(' ← ')}]` : parts.join(' ← ');
}
