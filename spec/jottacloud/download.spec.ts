/**
 * Download streams against a plain HTTP server: a server that ignores Range still yields the
 * right window, and destroying the stream really ends the upstream request.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { TokenSource } from '../../lib/jottacloud/auth.js';
import { openDownload } from '../../lib/jottacloud/download.js';
import { JottaHttp } from '../../lib/jottacloud/http.js';
import { collect, pattern } from './support.js';

const staticTokens: TokenSource = {
  getAccessToken: async () => 'token',
  handleUnauthorized: async () => 'token',
  keepFresh: () => () => undefined,
  close: () => undefined,
};

describe('jottacloud download streams', () => {
  const data = pattern(5_000_000, 5);
  let server: Server;
  let base = '';
  let closedEarly = 0;
  let rangeHeaders: (string | undefined)[] = [];

  before(async () => {
    server = createServer((req, res: ServerResponse) => {
      rangeHeaders.push(req.headers.range);
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      // Ignores Range on purpose: answers 200 with everything, slowly enough to be interrupted.
      res.writeHead(200, { 'Content-Length': String(data.length) });
      let offset = 0;
      const pump = () => {
        while (offset < data.length) {
          const ok = res.write(data.subarray(offset, offset + 64 * 1024));
          offset += 64 * 1024;
          if (!ok) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    closedEarly = 0;
    rangeHeaders = [];
  });

  it('sends Range and cuts the window itself when the server answers 200 with everything', async () => {
    const http = new JottaHttp({ tokens: staticTokens });
    const stream = await openDownload(http, `${base}f?mode=bin`, { start: 1_000_000, end: 1_000_099 });
    assert.deepEqual(await collect(stream), data.subarray(1_000_000, 1_000_100));
    assert.deepEqual(rangeHeaders, ['bytes=1000000-1000099']);
    for (let i = 0; i < 100 && closedEarly === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closedEarly, 1, 'the rest of the body was not downloaded');
    const open = await openDownload(http, `${base}f?mode=bin`, { start: 4_999_990 });
    assert.deepEqual(await collect(open), data.subarray(4_999_990));
  });

  it('destroying the stream ends the upstream request', async () => {
    const http = new JottaHttp({ tokens: staticTokens });
    const stream = await openDownload(http, `${base}f?mode=bin`, undefined);
    for await (const _ of stream) break; // for-await's break destroys the stream
    for (let i = 0; i < 100 && closedEarly === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closedEarly, 1, 'the server saw the connection go away before it finished');
  });

  it("aborting the caller's signal ends the upstream request and errors the stream", async () => {
    const http = new JottaHttp({ tokens: staticTokens });
    const controller = new AbortController();
    const stream = await openDownload(http, `${base}f?mode=bin`, undefined, controller.signal);
    await assert.rejects(
      (async () => {
        for await (const _ of stream) controller.abort();
      })(),
      /abort/i,
    );
    for (let i = 0; i < 100 && closedEarly === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closedEarly, 1);
  });
});
