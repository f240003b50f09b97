/**
 * The Prometheus scrape endpoint: its own listener, apart from the WebDAV port. A separate bind
 * address keeps the metrics off the network WebDAV serves (loopback, or a private interface a
 * scraper reaches) without a second set of credentials to hand out, rotate and send in clear
 * text, and a scrape never passes WebDAV authentication, locks or the base path.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { urlHost } from './dial-address.js';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './metrics-registry.js';

export const METRICS_PATH = '/metrics';

export interface RunningMetricsServer {
  /** Where to scrape, e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: MetricsRegistry, options: { host: string; port: number }): Promise<RunningMetricsServer> {
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== METRICS_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`metrics are at ${METRICS_PATH}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 });
      res.end();
      return;
    }
    const body = registry.render();
    res.writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(options.host)}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
