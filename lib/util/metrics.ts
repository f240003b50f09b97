/**
 * jottadav's metrics: one process-wide registry, filled by small hooks in the layers that see
 * each event (the WebDAV handler, the Jottacloud HTTP client, the listing cache, the spool) and
 * served by the metrics listener when `metrics.enabled` is on. Process-wide like the process it
 * describes: two bridges in one process (tests) add up, which is what a scrape of it should show.
 */
import { MetricsRegistry } from './metrics-registry.js';

export const metrics = new MetricsRegistry();

/** Seconds: from a quick PROPFIND on a cached listing to an upload of a large file. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const davRequests = metrics.counter('jottadav_http_requests_total', 'WebDAV requests answered, by method and status (0: the connection closed before an answer).');
const davLatency = metrics.histogram('jottadav_http_request_duration_seconds', 'Time from a WebDAV request to its end, by method.', LATENCY_BUCKETS);
const davBytesIn = metrics.counter('jottadav_http_received_bytes_total', 'Request body bytes received from WebDAV clients.');
const davBytesOut = metrics.counter('jottadav_http_sent_bytes_total', 'Response body bytes sent to WebDAV clients.');

const upstreamRequests = metrics.counter('jottadav_upstream_requests_total', 'HTTP requests sent to Jottacloud, by method and status (0: no answer).');
const upstreamLatency = metrics.histogram('jottadav_upstream_request_duration_seconds', 'Time until Jottacloud answered a request (headers), by method.', LATENCY_BUCKETS);
const upstreamErrors = metrics.counter('jottadav_upstream_errors_total', 'Jottacloud calls that failed for good (after any retries), by kind: http, network or aborted.');
const upstreamRetries = metrics.counter('jottadav_upstream_retries_total', 'Jottacloud calls repeated after a retryable failure.');

const cacheLookups = metrics.counter('jottadav_listing_cache_lookups_total', 'Folder listing cache lookups, by result: hit or miss.');
metrics.gauge('jottadav_listing_cache_hit_ratio', 'Share of listing cache lookups answered from the cache since start (NaN before the first).', () => {
  const hits = cacheLookups.value({ result: 'hit' });
  return hits / (hits + cacheLookups.value({ result: 'miss' }));
});

const spoolBytes = metrics.gauge('jottadav_spool_bytes', 'Upload bytes held in spools (memory or disk) until Jottacloud has them.');

/** Methods outside this set are counted as OTHER, so a client cannot create series at will. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'POST']);
const methodLabel = (method: string): string => (KNOWN_METHODS.has(method) ? method : 'OTHER');

export function recordDavRequest(event: { method: string; status: number; durationMs: number; bytesIn: number; bytesOut: number }): void {
  const method = methodLabel(event.method);
  davRequests.inc({ method, status: event.status });
  davLatency.observe(event.durationMs / 1000, { method });
  davBytesIn.inc({}, event.bytesIn);
  davBytesOut.inc({}, event.bytesOut);
}

export function recordUpstreamResponse(method: string, status: number, durationMs: number): void {
  upstreamRequests.inc({ method: methodLabel(method), status });
  upstreamLatency.observe(durationMs / 1000, { method: methodLabel(method) });
}

export function recordUpstreamError(kind: 'http' | 'network' | 'aborted'): void {
  upstreamErrors.inc({ kind });
}

export function recordUpstreamRetry(): void {
  upstreamRetries.inc();
}

export function recordListingLookup(hit: boolean): void {
  cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
}

/** Positive when a spool takes bytes, negative when it lets them go. */
export function recordSpoolBytes(delta: number): void {
  spoolBytes.add(delta);
}
