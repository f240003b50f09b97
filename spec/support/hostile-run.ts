/**
 * Sends a seeded hostile suite (hostile-requests.ts) to a whole stack running in this process and
 * reports what a crash or an internal error would look like: uncaught exceptions and unhandled
 * rejections, requests left without an answer, and every 5xx other than a 502 for a Destination on
 * another host. The bench (spec/bench/hostile.ts) runs 10,000 of them; a spec runs a short version.
 */
import { startStack, type Stack } from './stack.js';
import { HOSTILE_SANDBOX, hostileRequests, type HostileRequest } from './hostile-requests.js';
import { sendRaw } from './raw-socket.js';

export interface HostileReport {
  seed: number;
  sent: number;
  durationMs: number;
  /** Status → count; 0 = no answer. */
  byStatus: Record<string, number>;
  crashes: string[];
  /** What must not happen: a 5xx other than a 502 for a foreign Destination, or no answer where one was due. */
  failures: string[];
  /** The server's log lines of its 5xx answers (the cause, for a failure). */
  serverErrors: string[];
  /** /_health and a PROPFIND of the root after the run. */
  healthAfter: number;
  sandboxAfter: number;
}

const READER = { name: 'reader', password: 'reader password', readOnly: true };
const BAD_CREDENTIALS_ADDRESS = '127.0.0.2';

export async function runHostileSuite(options: { seed: number; count: number; concurrency?: number }): Promise<HostileReport> {
  const crashes: string[] = [];
  const onUncaught = (error: Error) => crashes.push(`uncaughtException: ${error.stack ?? error.message}`);
  const onUnhandled = (reason: unknown) => crashes.push(`unhandledRejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  const serverErrors: string[] = [];
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      users: [{ name: 'alice', password: 'alice password' }, READER],
      logSink: {
        write: (line: string) => {
          if (/"status":5\d\d/.test(line) && !/"status":502/.test(line)) serverErrors.push(line.trim().slice(0, 2_000));
          return true;
        },
      },
    });
    const port = Number(new URL(stack.url).port);
    const writer = stack.authHeader('alice');
    await fetch(`${stack.url}${HOSTILE_SANDBOX.slice(1)}`, { method: 'MKCOL', headers: { Authorization: writer } });
    const requests = hostileRequests(options.seed, options.count, { writer, reader: stack.authHeader('reader') });

    const byStatus: Record<string, number> = {};
    const failures: string[] = [];
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < requests.length; i = next++) {
        const request = requests[i] as HostileRequest;
        const { status } = await sendRaw(port, request.raw, {
          timeoutMs: 30_000,
          endAfterWrite: request.mayGoUnanswered === true,
          // Failed logins block their client for a while: they come from a client of their own,
          // so that the rest of the suite still reaches past authentication.
          ...(request.badCredentials ? { localAddress: BAD_CREDENTIALS_ADDRESS } : {}),
        });
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        const wrong = (status === 0 && !request.mayGoUnanswered) || (status >= 500 && !(status === 502 && request.foreignDestination));
        if (wrong) failures.push(`#${i} ${request.family}: ${status || 'no answer'}: ${request.raw.toString('latin1', 0, 300).split('\r\n').slice(0, 12).join(' | ')}`);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    const durationMs = performance.now() - started;
    const healthAfter = (await fetch(new URL('/_health', stack.url))).status;
    const sandboxAfter = (await fetch(stack.url, { method: 'PROPFIND', headers: { Authorization: writer, Depth: '1' } })).status;
    return { seed: options.seed, sent: requests.length, durationMs, byStatus, crashes, failures, serverErrors, healthAfter, sandboxAfter };
  } finally {
    await stack?.close();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  }
}
