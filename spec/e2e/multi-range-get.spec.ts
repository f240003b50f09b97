/**
 * GET with several byte ranges, over the whole stack: a 206 multipart/byteranges whose parts are
 * each read from Jottacloud with their own range request, and the limits we chose for
 * overlapping, unsatisfiable and too many ranges (lib/dav/byte-ranges.ts).
 */
import assert from 'node:assert/strict';
import { MAX_RANGES } from '../../lib/dav/byte-ranges.js';
import { startStack, type Stack } from '../support/stack.js';
import { dav, logLength, logSince } from './helpers.js';

const CONTENT = Buffer.from(Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
const slice = (start: number, end: number) => CONTENT.subarray(start, end + 1).toString();

interface Part {
  type: string | undefined;
  range: string | undefined;
  body: string;
}

/** Splits a multipart/byteranges body by the boundary its Content-Type names. */
function partsOf(contentType: string, body: Buffer): Part[] {
  const boundary = /boundary=([^;\s]+)/.exec(contentType)?.[1];
  assert.ok(boundary, contentType);
  const text = body.toString('latin1');
  assert.ok(text.endsWith(`\r\n--${boundary}--\r\n`), 'the body ends with the closing boundary');
  const chunks = text.slice(0, -`\r\n--${boundary}--\r\n`.length).split(new RegExp(`(?:^|\\r\\n)--${boundary}\\r\\n`)).slice(1);
  return chunks.map((chunk) => {
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.slice(0, split);
    return {
      type: /^content-type: (.*)$/im.exec(head)?.[1],
      range: /^content-range: (.*)$/im.exec(head)?.[1],
      body: chunk.slice(split + 4),
    };
  });
}

describe('e2e: GET with several byte ranges', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await startStack();
    assert.equal((await dav(stack, 'PUT', '/ranges.txt', { body: CONTENT })).status, 201);
  });
  after(async () => stack?.close());

  const get = (range: string, method = 'GET') => dav(stack, method, '/ranges.txt', { headers: { Range: range } });
  const downloads = (since: number) => logSince(stack, since).filter((e) => e.method === 'GET' && /(^|&)mode=bin/.test(e.query));

  it('answers 206 multipart/byteranges, one part per range, each read with its own upstream range request', async () => {
    const since = logLength(stack);
    const res = await get('bytes=0-9, 100-109, 990-');
    assert.equal(res.status, 206);
    const type = res.headers.get('content-type')!;
    assert.match(type, /^multipart\/byteranges; boundary=/);
    assert.equal(res.headers.get('content-range'), null);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), body.length);
    const parts = partsOf(type, body);
    assert.deepEqual(
      parts.map((p) => [p.type, p.range, p.body]),
      [
        ['text/plain', 'bytes 0-9/1000', slice(0, 9)],
        ['text/plain', 'bytes 100-109/1000', slice(100, 109)],
        ['text/plain', 'bytes 990-999/1000', slice(990, 999)],
      ],
    );
    // Streamed part by part from Jottacloud, never the whole file.
    assert.equal(downloads(since).length, 3);
  });

  it('keeps the order the ranges were asked in, suffix ranges included', async () => {
    const res = await get('bytes=-5,0-4');
    assert.equal(res.status, 206);
    const parts = partsOf(res.headers.get('content-type')!, Buffer.from(await res.arrayBuffer()));
    assert.deepEqual(parts.map((p) => p.range), ['bytes 995-999/1000', 'bytes 0-4/1000']);
    assert.deepEqual(parts.map((p) => p.body), [slice(995, 999), slice(0, 4)]);
  });

  it('merges overlapping and adjacent ranges, so a single remaining range is a plain 206', async () => {
    const res = await get('bytes=0-9,5-14,15-19,0-9');
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), 'bytes 0-19/1000');
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.equal(await res.text(), slice(0, 19));
  });

  it('drops unsatisfiable ranges and answers 416 when none is left', async () => {
    const some = await get('bytes=5000-6000,10-12');
    assert.equal(some.status, 206);
    assert.equal(some.headers.get('content-range'), 'bytes 10-12/1000');
    assert.equal(await some.text(), slice(10, 12));
    const none = await get('bytes=1000-,5000-6000');
    assert.equal(none.status, 416);
    assert.equal(none.headers.get('content-range'), 'bytes */1000');
  });

  it(`sends the whole file (200) for more than ${MAX_RANGES} ranges after merging`, async () => {
    const many = Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',');
    const res = await get(`bytes=${many}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), CONTENT.toString());
    const capped = Array.from({ length: MAX_RANGES }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',');
    const ok = await get(`bytes=${capped}`);
    assert.equal(ok.status, 206);
    assert.equal(partsOf(ok.headers.get('content-type')!, Buffer.from(await ok.arrayBuffer())).length, MAX_RANGES);
  });

  it('ignores a malformed range set (200, whole body)', async () => {
    const res = await get('bytes=0-9,x-y');
    assert.equal(res.status, 200);
    assert.equal((await res.text()).length, 1000);
  });

  it('HEAD announces the multipart length without a body or a download', async () => {
    const since = logLength(stack);
    const head = await get('bytes=0-9,20-29', 'HEAD');
    assert.equal(head.status, 206);
    assert.match(head.headers.get('content-type')!, /^multipart\/byteranges; boundary=/);
    assert.ok(Number(head.headers.get('content-length')) > 20);
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    assert.equal(downloads(since).length, 0);
  });

  it('regression: streaming large parts leaves no listener behind on the response (MaxListenersExceededWarning)', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 1);
    assert.equal((await dav(stack, 'PUT', '/big-ranges.bin', { body: big })).status, 201);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const res = await dav(stack, 'GET', '/big-ranges.bin', { headers: { Range: 'bytes=0-2097151,2621440-4194303' } });
      assert.equal(res.status, 206);
      assert.equal(Number(res.headers.get('content-length')), (await res.arrayBuffer()).byteLength);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.filter((w) => w === 'MaxListenersExceededWarning'), []);
  });

  it('applies the ranges only while If-Range matches', async () => {
    const etag = (await dav(stack, 'HEAD', '/ranges.txt')).headers.get('etag')!;
    const matching = await dav(stack, 'GET', '/ranges.txt', { headers: { Range: 'bytes=0-1,3-4', 'If-Range': etag } });
    assert.equal(matching.status, 206);
    await matching.arrayBuffer();
    const stale = await dav(stack, 'GET', '/ranges.txt', { headers: { Range: 'bytes=0-1,3-4', 'If-Range': '"stale"' } });
    assert.equal(stale.status, 200);
    assert.equal((await stale.text()).length, 1000);
  });
});
