/**
 * Plain HTTP sent to the HTTPS port gets an answer instead of a silent hang-up: a TLS connection
 * opens with a handshake record (first byte 0x16), while an HTTP request opens with a method name
 * in ASCII. The first chunk of every connection is looked at before TLS sees it; a TLS one is
 * put back and handed on unchanged, anything else gets a 400 that says to use https.
 */
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing at all is dropped after this long (TLS takes over timing after). */
const FIRST_BYTE_TIMEOUT_MS = 60_000;

export function answerPlainHttp(server: HttpsServer): void {
  // The TLS layer's own connection listener, taken off so it only sees TLS connections.
  const tlsListeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => undefined);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      if (first[0] === TLS_HANDSHAKE) {
        // Unread data on the socket is fed to the TLS layer as if just received.
        socket.unshift(first);
        for (const listener of tlsListeners) listener.call(server, socket);
        return;
      }
      // The Host header is echoed only when it looks like a host, never as arbitrary text.
      const host = /^host:[ \t]*([A-Za-z0-9.:[\]-]+)[ \t]*$/im.exec(first.toString('latin1'))?.[1];
      const body = `This port speaks HTTPS. Use https://${host ?? 'this-host:port'}/ instead of http://.\n`;
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  });
}
