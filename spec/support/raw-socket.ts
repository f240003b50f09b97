/**
 * HTTP/1.1 over a plain socket, byte for byte: for requests no HTTP client would send (bad
 * framing, absurd headers, half a request) and for watching what the server does with the
 * connection itself (kept alive, closed, answered with 408).
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** The final status (100 Continue skipped); 0 when none came before the connection ended. */
  status: number;
  /** What arrived, as latin1. */
  text: string;
}

const STATUS_LINE = /^HTTP\/1\.1 (\d{3})/;

export interface SendOptions {
  /** Give up (status 0) after this long; default 10 s. */
  timeoutMs?: number;
  /** Stop sending once `raw` is out (a body promised but never sent). */
  endAfterWrite?: boolean;
  /** Another loopback source address (127.0.0.2…), so that the server sees another client. */
  localAddress?: string;
}

/** One request on its own connection: the first final response's head, or status 0. */
export function sendRaw(port: number, raw: string | Buffer, options: SendOptions = {}): Promise<RawAnswer> {
  const { timeoutMs = 10_000, endAfterWrite = false, localAddress } = options;
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = STATUS_LINE.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      // The final status line and headers are enough; skip 100 Continue interim replies.
      const finalHead = text.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      if (/\r\n\r\n/.test(finalHead)) {
        text = finalHead;
        done();
      }
    });
    socket.on('error', done);
    socket.on('close', done);
    if (endAfterWrite) socket.end(raw);
    else socket.write(raw);
  });
}

/** A connection kept open across requests, to see whether the server reuses or closes it. */
export interface RawConnection {
  socket: Socket;
  /** Sends bytes as they are. */
  write(raw: string): void;
  /** Resolves with everything received so far once `pattern` matches it (rejects when the connection ends first). */
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once the server has closed the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
  destroy(): void;
}

export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  let ended = false;
  const listeners = new Set<() => void>();
  socket.on('data', (c: Buffer) => {
    received += c.toString('latin1');
    for (const l of listeners) l();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      ended = true;
      for (const l of listeners) l();
      resolve();
    });
  });
  return {
    socket,
    write: (raw) => socket.write(raw, 'latin1'),
    until: (pattern, timeoutMs = 10_000) =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          if (pattern.test(received)) finish(() => resolve(received));
          else if (ended) finish(() => reject(new Error(`connection closed before ${pattern}; got ${JSON.stringify(received.slice(0, 200))}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(received.slice(0, 200))}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
    closed,
    isClosed: () => ended,
    destroy: () => socket.destroy(),
  };
}
