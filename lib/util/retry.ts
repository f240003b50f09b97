/**
 * Generic retry with exponential backoff and full jitter, bounded both in attempts and in total
 * time. The caller classifies each failure; this module knows nothing about HTTP beyond parsing a
 * Retry-After value. Node built-ins only.
 */

export interface RetryPolicy {
  /** Total tries including the first one (1 = never retry). */
  maxAttempts: number;
  /** Backoff before the first retry; doubles each time up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry is started when it would end after this much time since the first try. */
  maxElapsedMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxElapsedMs: 60_000,
});

export type RetryDecision =
  | { retry: false }
  /** `afterMs`: the server asked for this wait (Retry-After); it is a floor, not a suggestion. */
  | { retry: true; afterMs?: number };

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called before each wait; for logging and tests. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Injectable for tests. */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs `task` until it succeeds, `classify` says a failure is final, or the policy's bounds are
 * reached; then rethrows the last failure unchanged (the caller decides what it means).
 */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const wait = hooks.sleep ?? sleep;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (hooks.signal?.aborted) throw error;
      const decision = classify(error);
      if (!decision.retry || attempt >= policy.maxAttempts) throw error;
      const backoff = backoffDelay(attempt, policy, hooks.random);
      const delayMs = Math.max(backoff, decision.afterMs ?? 0);
      // A server-requested wait that would overrun the budget means "give up now", not "wait less".
      if (now() - started + delayMs > policy.maxElapsedMs) throw error;
      hooks.onRetry?.({ attempt, delayMs, error });
      await wait(delayMs, hooks.signal);
    }
  }
}

/** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds
 * from `now`, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The codes carried by `error` and its causes, outermost first (a few levels deep). */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const obj = e as { code?: unknown; errno?: unknown; cause?: unknown };
    if (typeof obj.code === 'string') codes.push(obj.code);
    else if (typeof obj.errno === 'string') codes.push(obj.errno);
    e = obj.cause;
  }
  return codes;
}

/**
 * true for an abort, told by its code (or a cause's), never by an error name: Node's AbortError
 * (ABORT_ERR), or an error carrying the storage code ABORTED, such as the AbortedError a body
 * stream is destroyed with when an upload is cut (HTTP clients that wrap it copy its code).
 * Every code in the chain counts: a wrapper with a code of its own (JOTTA_…) must not hide it.
 */
export function isAbortError(error: unknown): boolean {
  return errorCodes(error).some((code) => code === 'ABORT_ERR' || code === 'ABORTED');
}

/** true for failures of the transport (reset, refused, timeout, DNS), not of the server's answer. */
export function isConnectionError(error: unknown): boolean {
  if (errorCodes(error).some((code) => CONNECTION_CODES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /socket hang up|premature close|other side closed/i.test(message);
}

/**
 * true only when the request certainly never reached the server (connection refused, DNS), so
 * that even a non-idempotent call may be sent again.
 */
export function isUnsentError(error: unknown): boolean {
  return errorCodes(error).some((code) => code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN');
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
