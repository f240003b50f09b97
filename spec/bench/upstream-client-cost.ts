/**
 * CPU per allocate + upload pair of JottaHttp (the two requests of a small PUT) with node-fetch
 * and with the node:http client it uses now, alternating in one process against a loopback
 * server that answers at once (its own cost is in both figures alike).
 *
 * `node dist/spec/bench/upstream-client-cost.js`
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import fetch from 'node-fetch';
import type { FetchLike } from '../../lib/jottacloud/auth.js';
import { JottaHttp } from '../../lib/jottacloud/http.js';
import { nodeHttpFetch } from '../../lib/jottacloud/node-http-fetch.js';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"md5":"x","bytes":4096}'));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
const tokens = { getAccessToken: async () => 'token', handleUnauthorized: async () => 'token', keepFresh: () => () => undefined, close: () => undefined };
const body = Buffer.alloc(4096, 1);
const clients: Record<string, JottaHttp> = {
  'node-fetch': new JottaHttp({ tokens, fetch: fetch as FetchLike }),
  'node:http': new JottaHttp({ tokens, fetch: nodeHttpFetch }),
};

async function pair(http: JottaHttp): Promise<void> {
  await http.json({ method: 'POST', url, headers: { 'Content-Type': 'application/json' }, body: () => JSON.stringify({ path: '/a/b', bytes: 4096, md5: 'x' }), retry: 'never' });
  const res = await http.call({ method: 'POST', url, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': '4096' }, body: () => Readable.from([body]), retry: 'never', timeoutMs: 0 });
  JSON.parse(await res.text());
}

for (let round = 0; round < 5; round++) {
  for (const [name, http] of Object.entries(clients)) {
    for (let i = 0; i < 200; i++) await pair(http);
    const n = 1500;
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await pair(http);
    const used = process.cpuUsage(before);
    console.log(`${name}: ${((used.user + used.system) / n / 1000).toFixed(3)} ms CPU per allocate + upload pair`);
  }
}
server.close();
