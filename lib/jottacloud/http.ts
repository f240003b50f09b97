/**
 * Authenticated HTTP with the retry rules rclone uses against the service: 429, 500, 502, 503, 504,
 * 509 and transport errors are retried with backoff for idempotent calls; a non-idempotent call
 * is repeated only when the server certainly did not act on it. A 401 leads to one token refresh
 * and one repeat (a 401 means the request was not processed, so this is safe for any call).
 */
import fetch, { AbortError, type BodyInit, type Response } from 'node-fetch';
import { recordUpstreamError, recordUpstreamResponse, recordUpstreamRetry } from '../util/metrics.js';
import { DEFAULT_RETRY_POLICY, isAbortError, isConnectionError, isUnsentError, parseRetryAfter, withRetry, type RetryDecision, type RetryPolicy } from '../util/retry.js';
import type { FetchLike, TokenSource } from './auth.js';
import { nodeHttpFetch } from './node-http-fetch.js';
import { decodeHttpError, JottaAbortError, JottaHttpError, JottaNetworkError } from './errors.js';
import { parseXmlError } from './xml.js';

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504, 509]);

/**
 * idempotent: safe to repeat on any retryable failure.
 * unprocessed: repeat only on 429/503 (the server declined to act) or when nothing was sent.
 * never: one try (the caller has its own recovery, e.g. upload resume).
 */
export type RetryMode = 'idempotent' | 'unprocessed' | 'never';

export interface CallOptions {
  method?: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Called per attempt, so a streamed body can be reopened. */
  body?: () => BodyInit | undefined | Promise<BodyInit | undefined>;
  retry?: RetryMode;
  signal?: AbortSignal;
  /** false: no Authorization header (discovery, public links). */
  auth?: boolean;
  /** Wait at most this long for the response headers; 0: no limit (byte uploads). */
  timeoutMs?: number;
}

export interface HttpOptions {
  tokens: TokenSource;
  fetch?: FetchLike;
  retry?: RetryPolicy;
  /** Default wait for response headers (not for the body). Default 120 s. */
  timeoutMs?: number;
}

const MAX_ERROR_BODY = 64 * 1024;

async function errorBody(res: Response): Promise<string> {
  // Error bodies are small XML/JSON; cap them so a misbehaving server cannot fill memory.
  let text = '';
  try {
    for await (const chunk of res.body ?? []) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length > MAX_ERROR_BODY) {
        (res.body as unknown as { destroy?: () => void })?.destroy?.();
        break;
      }
    }
  } catch {
    // the connection died while reading the error: the status is still known
  }
  return text;
}

export class JottaHttp {
  private readonly doFetch: FetchLike;
  readonly policy: RetryPolicy;

  constructor(private readonly options: HttpOptions) {
    this.doFetch = options.fetch ?? nodeHttpFetch;
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  get tokens(): TokenSource {
    return this.options.tokens;
  }

  /** A 2xx response whose body the caller must consume; anything else throws a JottaError. */
  call(call: CallOptions): Promise<Response> {
    return this.run(call, async (res) => res);
  }

  /**
   * The body as text. Reading it is part of the attempt: a connection that dies mid-body is
   * retried like one that died before the answer (for a call whose retry mode allows it).
   */
  text(call: CallOptions): Promise<string> {
    return this.run(call, (res) => res.text());
  }

  /**
   * The body read by `read` as part of the attempt, like text(): a retried call reads the new
   * answer from the start, so `read` must not keep anything from an earlier attempt.
   */
  consume<T>(call: CallOptions, read: (res: Response) => Promise<T>): Promise<T> {
    return this.run(call, read);
  }

  async json<T>(call: CallOptions): Promise<T> {
    return JSON.parse(await this.text({ ...call, headers: { Accept: 'application/json', ...call.headers } })) as T;
  }

  private async run<T>(call: CallOptions, read: (res: Response) => Promise<T>): Promise<T> {
    const mode = call.retry ?? (call.method === undefined || call.method === 'GET' ? 'idempotent' : 'unprocessed');
    const classify = (error: unknown): RetryDecision => {
      if (mode === 'never') return { retry: false };
      if (error instanceof JottaHttpError) {
        const retryable = mode === 'idempotent' ? RETRYABLE_STATUSES.has(error.status) : error.status === 429 || error.status === 503;
        return retryable ? { retry: true, afterMs: error.retryAfterMs } : { retry: false };
      }
      if (mode === 'idempotent' ? isConnectionError(error) : isUnsentError(error)) return { retry: true };
      return { retry: false };
    };
    try {
      return await withRetry(async () => read(await this.attempt(call)), classify, this.policy, { signal: call.signal, onRetry: recordUpstreamRetry });
    } catch (error) {
      // node-fetch's own AbortError carries no code: it is told by its class.
      const aborted = call.signal?.aborted || error instanceof AbortError || isAbortError(error);
      recordUpstreamError(aborted ? 'aborted' : error instanceof JottaHttpError ? 'http' : 'network');
      if (aborted) {
        throw new JottaAbortError('request aborted', { cause: error });
      }
      if (isConnectionError(error) || isUnsentError(error)) {
        throw new JottaNetworkError(`connection to the service failed: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }

  private async attempt(call: CallOptions): Promise<Response> {
    const auth = call.auth ?? true;
    let token = auth ? await this.options.tokens.getAccessToken() : undefined;
    let res = await this.send(call, token);
    if (res.status === 401 && auth && token !== undefined) {
      await errorBody(res);
      token = await this.options.tokens.handleUnauthorized(token);
      res = await this.send(call, token);
    }
    if (res.ok) return res;
    const body = await errorBody(res);
    throw decodeHttpError(res.status, res.statusText, body, parseXmlError(body), parseRetryAfter(res.headers.get('retry-after')));
  }

  private async send(call: CallOptions, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...call.headers };
    if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
    const body = call.body ? await call.body() : undefined;
    // Our own controller: it follows the caller's signal (also later, while a body streams) and
    // lets a silent server time out instead of hanging the caller forever.
    const controller = new AbortController();
    const follow = () => controller.abort(call.signal?.reason);
    if (call.signal?.aborted) controller.abort(call.signal.reason);
    call.signal?.addEventListener('abort', follow, { once: true });
    const limit = call.timeoutMs ?? this.options.timeoutMs ?? 120_000;
    let timedOut = false;
    const timer =
      limit > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, limit)
        : undefined;
    const started = performance.now();
    let status = 0;
    try {
      const res = await this.doFetch(call.url, {
        method: call.method ?? 'GET',
        headers,
        body,
        signal: controller.signal as never,
        // Redirects would drop or leak the bearer; the API does not use them.
        redirect: 'manual',
        compress: false,
      });
      status = res.status;
      return res;
    } catch (error) {
      if (timedOut) throw Object.assign(new Error(`no response within ${limit} ms`, { cause: error }), { code: 'ETIMEDOUT' });
      throw error;
    } finally {
      clearTimeout(timer);
      recordUpstreamResponse(call.method ?? 'GET', status, performance.now() - started);
    }
  }
}
