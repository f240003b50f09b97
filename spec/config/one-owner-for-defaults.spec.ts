/**
 * The registry (lib/config/options.ts) owns every default: a config that sets none of these
 * options runs on the registry's values, not on values of the library's own. The whole product
 * runs as `serve` composes it (startStack: a validated config, then startApp) in front of the
 * emulator. Four settings where the library once disagreed with the registry are observed over
 * WebDAV: the longest lock (library 7 days, registry 24 h), the placeholder grace (60 s against
 * 30 s), the quota cache (60 s against 5 min) and the life of a junk file (24 h against 1 h). The clock of the deadlines is moved
 * instead of waited for; expected values are read from the registry itself.
 */
import assert from 'node:assert/strict';
import { OPTION_BY_PATH } from '../../lib/config/options.js';
import { parseDuration } from '../../lib/config/units.js';
import { dav, RemoteView } from '../e2e/helpers.js';
import { startStack, type Stack } from '../support/stack.js';

/** A duration option's registry default, in ms. */
function registryMs(path: string): number {
  const ms = parseDuration(OPTION_BY_PATH.get(path)?.default);
  if (ms === undefined) throw new Error(`${path} has no duration default`);
  return ms;
}

const LOCK_BODY = '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>defaults</D:owner></D:lockinfo>';

async function listed(stack: Stack, folder: string): Promise<string[]> {
  const res = await dav(stack, 'PROPFIND', folder, { headers: { Depth: '1' } });
  assert.equal(res.status, 207);
  const names = [...(await res.text()).matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1]!).replace(/\/$/, '').split('/').pop()!);
  return names.slice(1).sort();
}

async function until(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; !(await condition()); tries++) {
    if (tries > 400) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('config: one owner for every default (a config that sets nothing runs on the registry\'s defaults)', function () {
  this.timeout(30_000);
  let stack: Stack;
  let remote: RemoteView;
  let clock = Date.now();

  before(async () => {
    // Only what a stack needs to run at all (users, account, loopback, memory store); none of the options below.
    stack = await startStack({ now: () => clock });
    remote = await RemoteView.open(stack);
    for (const folder of ['/locks', '/placeholders', '/junk']) assert.equal((await dav(stack, 'MKCOL', folder)).status, 201);
  });
  after(async () => stack?.close());

  /** LOCKs a fresh file with this Timeout header (none when undefined); the seconds granted. */
  async function granted(name: string, timeout: string | undefined): Promise<number> {
    assert.equal((await dav(stack, 'PUT', `/locks/${name}`, { body: 'x' })).status, 201);
    const lock = await dav(stack, 'LOCK', `/locks/${name}`, { headers: { 'Content-Type': 'application/xml', ...(timeout ? { Timeout: timeout } : {}) }, body: LOCK_BODY });
    assert.equal(lock.status, 200);
    return Number(/<D:timeout>Second-(\d+)<\/D:timeout>/.exec(await lock.text())?.[1]);
  }

  it('locks.maxTimeout: a LOCK asking for more, or for Infinite, is granted the registry\'s maximum', async () => {
    assert.equal(await granted('long.txt', 'Second-999999999'), registryMs('locks.maxTimeout') / 1000);
    assert.equal(await granted('infinite.txt', 'Infinite'), registryMs('locks.maxTimeout') / 1000);
  });

  it('locks.defaultTimeout and minTimeout: a LOCK asking for nothing gets the default, one asking for 1 s the minimum', async () => {
    assert.equal(await granted('plain.txt', undefined), registryMs('locks.defaultTimeout') / 1000);
    assert.equal(await granted('short.txt', 'Second-1'), registryMs('locks.minTimeout') / 1000);
  });

  it('placeholders.grace: an empty PUT waits the registry\'s grace, then becomes a real empty file on the service', async () => {
    const grace = registryMs('placeholders.grace');
    assert.equal((await dav(stack, 'PUT', '/placeholders/empty.txt', { body: '' })).status, 201);
    clock += grace - 1000;
    assert.deepEqual(await listed(stack, '/placeholders'), ['empty.txt']);
    assert.deepEqual(await remote.live('/placeholders'), [], 'still a placeholder just before the grace ends');
    clock += 2000;
    // The listing after the grace finds the placeholder due and has it stored.
    assert.deepEqual(await listed(stack, '/placeholders'), ['empty.txt']);
    await until('the empty file reaches the service', async () => (await remote.live('/placeholders')).includes('empty.txt'));
    assert.equal((await remote.file('/placeholders/empty.txt')).size, 0);
  });

  it('cache.quotaTtl: the quota properties are reused for the registry\'s TTL, then read again', async () => {
    const ttl = registryMs('cache.quotaTtl');
    const used = async () => {
      const res = await dav(stack, 'PROPFIND', '/', { headers: { Depth: '0' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:quota-used-bytes/></D:prop></D:propfind>' });
      assert.equal(res.status, 207);
      return Number(/<D:quota-used-bytes>(\d+)<\/D:quota-used-bytes>/.exec(await res.text())?.[1]);
    };
    // Past any figure cached by the listings above: this one is read now, and cached from now.
    clock += ttl + 1000;
    const before = await used();
    assert.equal((await dav(stack, 'PUT', '/quota.bin', { body: Buffer.alloc(50_000, 1) })).status, 201);
    clock += ttl - 1000;
    assert.equal(await used(), before, 'still the cached figure just before the TTL ends');
    clock += 2000;
    assert.equal(await used(), before + 50_000);
  });

  it('localOnly.ttl: a junk file lives the registry\'s TTL after its last write, and is never uploaded', async () => {
    const ttl = registryMs('localOnly.ttl');
    assert.equal((await dav(stack, 'PUT', '/junk/.DS_Store', { body: 'finder' })).status, 201);
    clock += ttl - 60_000;
    assert.deepEqual(await listed(stack, '/junk'), ['.DS_Store']);
    clock += 120_000;
    assert.deepEqual(await listed(stack, '/junk'), []);
    assert.deepEqual(await remote.live('/junk'), []);
  });
});

describe('config: server.timeouts.idle reaches the HTTP server as configured', () => {
  it('regression: 0 means never (it became one hour on the way), and the default is the registry\'s', async () => {
    const never = await startStack({ config: { server: { timeouts: { idle: 0 } } } });
    try {
      assert.equal(never.app.dav.server.timeout, 0);
    } finally {
      await never.close();
    }
    const plain = await startStack();
    try {
      assert.equal(plain.app.dav.server.timeout, registryMs('server.timeouts.idle'));
    } finally {
      await plain.close();
    }
  });
});
