/**
 * Commands that must not simply be sent again (a move repeated after it succeeded finds no
 * source). After an ambiguous failure — a 5xx or a dropped connection once the request was sent —
 * the service may or may not have carried the command out: look at the state it would leave, and
 * send it again only when it certainly did not happen.
 */
import { backoffDelay, isConnectionError, sleep, type RetryPolicy } from '../util/retry.js';
import { JottaHttpError, JottaNetworkError } from './errors.js';

/** What the state says about a command that failed ambiguously. */
export type Outcome = 'done' | 'not-done' | 'unknown';

/** A failure after which the service may have acted (never a 4xx: that one it refused). */
export function isAmbiguous(error: unknown): boolean {
  if (error instanceof JottaHttpError) return error.status >= 500 || error.status === 429;
  return error instanceof JottaNetworkError || isConnectionError(error);
}

/**
 * Sends `command`; after an ambiguous failure asks `check` and either settles (`done`), sends it
 * again (`not-done`, within the policy's attempts), or gives the failure back (`unknown`).
 */
export async function verifiedCommand(command: () => Promise<unknown>, check: () => Promise<Outcome>, policy: RetryPolicy, signal?: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await command();
      return;
    } catch (error) {
      if (signal?.aborted || !isAmbiguous(error) || attempt >= policy.maxAttempts) throw error;
      await sleep(backoffDelay(attempt, policy), signal);
      let outcome: Outcome;
      try {
        outcome = await check();
      } catch {
        throw error; // the state cannot be read either: the service is down, say what failed first
      }
      if (outcome === 'done') return;
      if (outcome === 'unknown') throw error;
    }
  }
}
