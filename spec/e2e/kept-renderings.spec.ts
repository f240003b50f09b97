/**
 * A warm PROPFIND Depth 1 writes the rendering kept with the folder's unchanged listing instead of
 * rendering every child again, and the kept rendering is never fresher or staler than the listing:
 * a lock, a dead property or a write through the bridge shows at once. Counted on the kept
 * renderings, never timed.
 */
import assert from 'node:assert/strict';
import { renderedListings } from '../../lib/dav/rendered-listings.js';
import { startStack, type Stack } from '../support/stack.js';
import { dav, propfind, responseFor } from './helpers.js';

const QUOTA_BODY = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><D:quota-used-bytes/></D:prop></D:propfind>';
const LOCK_BODY = '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>';
const proppatch = (value: string | undefined) =>
  '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:z="urn:x-spec">' +
  (value === undefined ? '<D:remove><D:prop><z:colour/></D:prop></D:remove>' : `<D:set><D:prop><z:colour>${value}</z:colour></D:prop></D:set>`) +
  '</D:propertyupdate>';

describe('e2e: kept renderings of unchanged listings', function () {
  this.timeout(30_000);
  let stack: Stack;
  let hits = 0;
  const get = renderedListings.get.bind(renderedListings);

  before(async () => {
    renderedListings.get = (key, listing) => {
      const kept = get(key, listing);
      if (kept) hits++;
      return kept;
    };
    stack = await startStack({ config: { cache: { listingTtl: '1h' } } });
    assert.equal((await dav(stack, 'MKCOL', '/k')).status, 201);
    for (let i = 0; i < 5; i++) assert.equal((await dav(stack, 'PUT', `/k/f${i}.txt`, { body: `file ${i}` })).status, 201);
  });
  after(async () => {
    renderedListings.get = get;
    await stack?.close();
  });

  const depth1 = async (body?: string) => {
    const { status, xml } = await propfind(stack, '/k', '1', body);
    assert.equal(status, 207, xml);
    return xml;
  };

  it('answers a warm PROPFIND Depth 1 from the kept rendering, byte for byte what a fresh one renders', async () => {
    const first = await depth1();
    const before = hits;
    assert.equal(await depth1(), first);
    assert.equal(hits, before + 1);
  });

  it('shows a lock taken on a child at once, and the kept rendering again once it is gone', async () => {
    const plain = await depth1();
    const lock = await dav(stack, 'LOCK', '/k/f1.txt', { headers: { 'Content-Type': 'application/xml', Timeout: 'Second-600' }, body: LOCK_BODY });
    assert.equal(lock.status, 200);
    const token = lock.headers.get('lock-token')!;
    const locked = await depth1();
    assert.match(responseFor(locked, '/k/f1.txt') ?? '', /<D:activelock>/);
    assert.doesNotMatch(responseFor(locked, '/k/f2.txt') ?? '', /<D:activelock>/);
    assert.equal((await dav(stack, 'UNLOCK', '/k/f1.txt', { headers: { 'Lock-Token': token } })).status, 204);
    assert.equal(await depth1(), plain);
  });

  it('shows a dead property set on a child at once, and not after it was removed', async () => {
    const plain = await depth1();
    assert.equal((await dav(stack, 'PROPPATCH', '/k/f2.txt', { headers: { 'Content-Type': 'application/xml' }, body: proppatch('blue') })).status, 207);
    assert.match(responseFor(await depth1(), '/k/f2.txt') ?? '', /<\w+:colour xmlns:\w+="urn:x-spec">blue</);
    assert.equal((await dav(stack, 'PROPPATCH', '/k/f2.txt', { headers: { 'Content-Type': 'application/xml' }, body: proppatch(undefined) })).status, 207);
    assert.equal(await depth1(), plain);
  });

  it('shows a file written through the bridge, and a new size, at once', async () => {
    await depth1();
    assert.equal((await dav(stack, 'PUT', '/k/new.txt', { body: 'new' })).status, 201);
    assert.equal((await dav(stack, 'PUT', '/k/f3.txt', { body: 'longer than before' })).status, 204);
    const after = await depth1();
    assert.ok(responseFor(after, '/k/new.txt'), after);
    assert.match(responseFor(after, '/k/f3.txt') ?? '', /<D:getcontentlength>18<\/D:getcontentlength>/);
  });

  it('keeps renderings of other property sets apart', async () => {
    const all = await depth1();
    const quota = await depth1(QUOTA_BODY);
    assert.notEqual(quota, all);
    assert.doesNotMatch(quota, /<D:getetag>/);
    assert.equal(await depth1(QUOTA_BODY), quota);
    assert.equal(await depth1(), all);
  });
});
