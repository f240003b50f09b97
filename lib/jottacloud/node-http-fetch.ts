/**
 * The fetch JottaHttp calls the service with: a node:http(s) request on the global keep-alive
 * agent, answered as a node-fetch Response. node-fetch's own fetch spends several times the CPU
 * of the request itself (a Request and Headers per call, each body and each answer piped
 * through a stream pipeline of its own): per small request about 0.7-1.0 ms against 0.2-0.3 ms
 * for node:http, which is most of what a small PUT costs the bridge.
 *
 * Only what JottaHttp asks for: a method, headers, a string, Buffer or stream body, an
 * AbortSignal. Redirects are never followed (JottaHttp asks for 'manual': a 3xx comes back as
 * it is) and nothing is decompressed. The default headers are node-fetch's (Accept, User-Agent,
 * Content-Length of a body whose length is known), so the service sees the same requests.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { AbortError, Response } from 'node-fetch';
import type { FetchLike } from './auth.js';

type Init = NonNullable<Parameters<FetchLike>[1]>;

function requestHeaders(init: Init, body: string | Uint8Array | Readable | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const given = (init.headers ?? {}) as Record<string, string>;
  const has = new Set<string>();
  for (const [name, value] of Object.entries(given)) {
    headers[name] = value;
    has.add(name.toLowerCase());
  }
  if (!has.has('accept')) headers['Accept'] = '*/*';
  if (!has.has('user-agent')) headers['User-Agent'] = 'node-fetch';
  if (!has.has('content-length')) {
    if (typeof body === 'string') headers['Content-Length'] = String(Buffer.byteLength(body));
    else if (body instanceof Uint8Array) headers['Content-Length'] = String(body.length);
    else if (body === undefined && /^(post|put)$/i.test(init.method ?? 'GET')) headers['Content-Length'] = '0';
  }
  return headers;
}

function bodyOf(init: Init): string | Uint8Array | Readable | undefined {
  const body = init.body as unknown;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof Readable) return body;
  throw new TypeError('node-http-fetch: the body must be a string, a Buffer or a Readable');
}

export const nodeHttpFetch: FetchLike = (url, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    const signal = init.signal as AbortSignal | null | undefined;
    const aborted = () => new AbortError('The operation was aborted.');
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    let body: string | Uint8Array | Readable | undefined;
    try {
      body = bodyOf(init);
    } catch (error) {
      reject(error);
      return;
    }
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const req = transport.request(target, { method: init.method ?? 'GET', headers: requestHeaders(init, body) });
    let answer: IncomingMessage | undefined;
    let settled = false;
    const onAbort = () => {
      const error = aborted();
      req.destroy(error);
      answer?.destroy(error);
      if (!settled) {
        settled = true;
        reject(error);
      }
    };
    const done = () => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('error', (error) => {
      if (settled) return;
      settled = true;
      done();
      reject(error);
    });
    req.once('response', (res) => {
      answer = res;
      res.once('close', done);
      if (settled) {
        res.destroy();
        return;
      }
      settled = true;
      const headers: Array<[string, string]> = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
      resolve(new Response(res, { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers }));
    });
    if (!(body instanceof Readable)) {
      req.end(body);
      return;
    }
    // A body that fails or closes before its end cuts the request (an interrupted upload).
    const source = body;
    source.once('error', (error) => req.destroy(error));
    source.once('close', () => {
      if (!source.readableEnded) req.destroy(Object.assign(new Error('the request body closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
    source.pipe(req);
  });
