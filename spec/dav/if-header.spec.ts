import assert from 'node:assert/strict';
import { evaluateIf, parseIfHeader, submittedTokens, type ResourceState } from '../../lib/dav/if-header.js';

describe('dav: If header (RFC 4918 §10.4)', () => {
  it('parses untagged lists with Not (per condition), state tokens and entity tags', () => {
    assert.deepEqual(parseIfHeader('(<urn:uuid:a> ["e1"]) (Not <DAV:no-lock> [W/"e2"]) (Not ["e3"])'), [
      { conditions: [{ not: false, token: 'urn:uuid:a' }, { not: false, etag: '"e1"' }] },
      { conditions: [{ not: true, token: 'DAV:no-lock' }, { not: false, etag: 'W/"e2"' }] },
      { conditions: [{ not: true, etag: '"e3"' }] },
    ]);
  });

  it('parses tagged lists, several lists per tag and several tags', () => {
    const lists = parseIfHeader('<http://h/a> (<urn:x>) (["t"]) </b> (Not<urn:y>)');
    assert.deepEqual(lists, [
      { resource: 'http://h/a', conditions: [{ not: false, token: 'urn:x' }] },
      { resource: 'http://h/a', conditions: [{ not: false, etag: '"t"' }] },
      { resource: '/b', conditions: [{ not: true, token: 'urn:y' }] },
    ]);
    assert.deepEqual([...submittedTokens(lists)], ['urn:x']);
  });

  it('rejects everything outside the grammar with a 400', () => {
    for (const bad of ['', '(', '()', '(<a> <b>', '<a>', '<a> <b> (<c>)', '(<a>) <b> (<c>)', '(Not)', '(["x])', '(x)', '(<a b>)', '(<a>) junk', `(${'<x>'.repeat(6000)})`]) {
      assert.throws(() => parseIfHeader(bad), (e: { status?: number }) => e.status === 400, bad.slice(0, 40));
    }
  });

  it('is true when any list is true, a list when all its conditions are', async () => {
    const states: Record<string, ResourceState> = {
      self: { etag: '"e1"', lockTokens: new Set(['urn:a']) },
      '/other': { etag: undefined, lockTokens: new Set() },
    };
    const ev = (header: string) => evaluateIf(parseIfHeader(header), async (r) => states[r ?? 'self'] as ResourceState);
    assert.equal(await ev('(<urn:a>)'), true);
    assert.equal(await ev('(<urn:b>)'), false);
    assert.equal(await ev('(<urn:a> ["e2"])'), false);
    assert.equal(await ev('(<urn:a> ["e2"]) (["e1"])'), true);
    assert.equal(await ev('(Not <DAV:no-lock>)'), true);
    assert.equal(await ev('([W/"e1"])'), true);
    assert.equal(await ev('</other> (<urn:a>)'), false);
    assert.equal(await ev('</other> (Not ["e1"])'), true);
  });
});
