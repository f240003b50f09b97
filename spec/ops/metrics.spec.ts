/**
 * The Prometheus endpoint: off by default, on its own listener (never on the WebDAV port), and
 * the figures move with real traffic: requests by method and status, latency, bytes both ways,
 * upstream calls and retries, listing cache hits and misses, spool bytes held during an upload.
 * The registry is process-wide, so every check compares two scrapes around the traffic.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { MetricsRegistry } from '../../lib/util/metrics-registry.js';
import { startStack, type Stack } from '../support/stack.js';
import { raw } from './support.js';

type Scrape = Map<string, number>;

/** `name{labels} value` lines → a map; comments checked for shape on the way. */
function parse(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      assert.match(line, /^# (HELP|TYPE) [a-z_]+ \S/);
      continue;
    }
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    assert.ok(m, `not an exposition line: ${line}`);
    out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

async function scrape(stack: Stack): Promise<Scrape> {
  const url = stack.app.metrics?.url;
  assert.ok(url, 'the metrics listener runs');
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

const delta = (before: Scrape, after: Scrape, key: string): number => (after.get(key) ?? 0) - (before.get(key) ?? 0);

describe('ops: Prometheus metrics', function () {
  this.timeout(60_000);

  it('are off by default: no metrics listener, and /metrics on the WebDAV port is just a missing file', async () => {
    const stack = await startStack();
    try {
      assert.equal(stack.app.metrics, undefined);
      const res = await raw(stack.url, 'GET', '/metrics', { headers: { Authorization: stack.authHeader() } });
      assert.equal(res.status, 404);
    } finally {
      await stack.close();
    }
  });

  describe('when enabled', () => {
    let stack: Stack;
    let auth: Record<string, string>;
    before(async () => {
      stack = await startStack({ config: { metrics: { enabled: true, host: '127.0.0.1', port: 0 } } });
      auth = { Authorization: stack.authHeader() };
    });
    after(async () => {
      await stack?.close();
    });

    it('listen on their own port, apart from WebDAV, and answer only /metrics', async () => {
      const metricsUrl = new URL(stack.app.metrics?.url ?? '');
      assert.notEqual(metricsUrl.port, new URL(stack.url).port);
      assert.equal(metricsUrl.pathname, '/metrics');
      assert.equal((await fetch(new URL('/other', metricsUrl))).status, 404);
      assert.equal((await fetch(metricsUrl, { method: 'POST' })).status, 405);
    });

    it('count WebDAV requests by method and status, their latency, and body bytes in and out', async () => {
      const before = await scrape(stack);
      const body = 'x'.repeat(5000);
      assert.equal((await raw(stack.url, 'PUT', '/metered.txt', { headers: auth, body })).status, 201);
      assert.equal((await raw(stack.url, 'GET', '/metered.txt', { headers: auth })).body, body);
      assert.equal((await raw(stack.url, 'GET', '/metered.txt', { headers: { Authorization: 'Basic bm9ib2R5Om5vcGU=' } })).status, 401);
      const after = await scrape(stack);
      assert.equal(delta(before, after, 'jottadav_http_requests_total{method="PUT",status="201"}'), 1);
      assert.equal(delta(before, after, 'jottadav_http_requests_total{method="GET",status="200"}'), 1);
      assert.equal(delta(before, after, 'jottadav_http_requests_total{method="GET",status="401"}'), 1);
      assert.equal(delta(before, after, 'jottadav_http_request_duration_seconds_count{method="GET"}'), 2);
      assert.equal(delta(before, after, 'jottadav_http_request_duration_seconds_bucket{method="PUT",le="+Inf"}'), 1);
      assert.ok(delta(before, after, 'jottadav_http_received_bytes_total') >= 5000);
      assert.ok(delta(before, after, 'jottadav_http_sent_bytes_total') >= 5000);
      // The upload reached Jottacloud through counted upstream requests.
      const upstream = [...after.keys()].filter((k) => k.startsWith('jottadav_upstream_requests_total{'));
      assert.ok(upstream.reduce((n, k) => n + delta(before, after, k), 0) > 0, 'upstream requests counted');
    });

    it('count a method nobody knows as OTHER, so a client cannot make series up', async () => {
      const before = await scrape(stack);
      await raw(stack.url, 'REPORT', '/', { headers: auth });
      const after = await scrape(stack);
      const other = [...after.keys()].filter((k) => k.startsWith('jottadav_http_requests_total{method="OTHER"'));
      assert.equal(other.reduce((n, k) => n + delta(before, after, k), 0), 1);
      assert.ok(![...after.keys()].some((k) => k.includes('REPORT')));
    });

    it('count listing cache hits and misses, and export the hit ratio', async () => {
      assert.equal((await raw(stack.url, 'MKCOL', '/cached', { headers: auth })).status, 201);
      const before = await scrape(stack);
      for (let i = 0; i < 3; i++) assert.equal((await raw(stack.url, 'PROPFIND', '/cached/', { headers: { ...auth, Depth: '1' } })).status, 207);
      const after = await scrape(stack);
      const hits = delta(before, after, 'jottadav_listing_cache_lookups_total{result="hit"}');
      const misses = delta(before, after, 'jottadav_listing_cache_lookups_total{result="miss"}');
      assert.ok(hits >= 2, `hits ${hits}, misses ${misses}`);
      const ratio = after.get('jottadav_listing_cache_hit_ratio') ?? NaN;
      const total = (after.get('jottadav_listing_cache_lookups_total{result="hit"}') ?? 0) + (after.get('jottadav_listing_cache_lookups_total{result="miss"}') ?? 0);
      assert.equal(ratio, (after.get('jottadav_listing_cache_lookups_total{result="hit"}') ?? 0) / total);
    });

    it('count an upstream failure that was retried, and one that failed for good', async () => {
      assert.equal((await raw(stack.url, 'PUT', '/retried.txt', { headers: auth, body: 'read after one 503' })).status, 201);
      stack.emulator.controls.failNext({ method: 'GET', path: /retried\.txt/, status: 503, times: 1 });
      const before = await scrape(stack);
      const get = await raw(stack.url, 'GET', '/retried.txt', { headers: auth });
      assert.equal(get.body, 'read after one 503');
      const middle = await scrape(stack);
      assert.ok(delta(before, middle, 'jottadav_upstream_retries_total') >= 1);
      assert.ok(delta(before, middle, 'jottadav_upstream_requests_total{method="GET",status="503"}') >= 1);
      assert.equal((await raw(stack.url, 'PUT', '/given-up.txt', { headers: auth, body: 'unreadable for a moment' })).status, 201);
      // A 400 is not worth repeating: the call fails at once.
      stack.emulator.controls.failNext({ method: 'GET', path: /given-up\.txt/, status: 400, times: 1 });
      assert.notEqual((await raw(stack.url, 'GET', '/given-up.txt', { headers: auth })).status, 200);
      const after = await scrape(stack);
      assert.ok(delta(middle, after, 'jottadav_upstream_errors_total{kind="http"}') >= 1);
    });

    it('show upload bytes held in the spool while the body arrives, and none once it is stored', async () => {
      const before = await scrape(stack);
      const base = before.get('jottadav_spool_bytes') ?? 0;
      const half = Buffer.alloc(64 * 1024, 1);
      const url = new URL(stack.url);
      const answered = new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: url.hostname, port: url.port, method: 'PUT', path: '/spooled.bin', headers: { ...auth, 'Content-Length': String(half.length * 2) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write(half);
        // The second half goes only once the first shows up in the spool metric.
        void (async () => {
          for (;;) {
            const now = await scrape(stack);
            if ((now.get('jottadav_spool_bytes') ?? 0) - base >= half.length) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          req.end(half);
        })().catch(reject);
      });
      assert.equal(await answered, 201);
      const after = await scrape(stack);
      assert.equal(after.get('jottadav_spool_bytes'), base);
    });
  });

  it('the registry renders the text format: escaped labels, cumulative buckets, +Inf, sum and count', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('t_total', 'A counter.');
    counter.inc({ path: 'a"b\\c\nd' }, 2);
    counter.inc({ path: 'a"b\\c\nd' }, -5);
    const histogram = registry.histogram('t_seconds', 'A histogram.', [0.1, 1]);
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(7);
    const text = registry.render();
    assert.ok(text.includes('# TYPE t_total counter\nt_total{path="a\\"b\\\\c\\nd"} 2\n'), text);
    assert.ok(text.includes('t_seconds_bucket{le="0.1"} 1\nt_seconds_bucket{le="1"} 2\nt_seconds_bucket{le="+Inf"} 3\nt_seconds_sum 7.55\nt_seconds_count 3\n'), text);
    assert.throws(() => registry.counter('t_total', 'again'), /twice/);
  });
});
