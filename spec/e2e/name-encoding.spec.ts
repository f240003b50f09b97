/**
 * names.encoding through the whole stack: for every flag rclone documents, a bridge configured with
 * exactly that flag takes names over HTTP (PUT), and the emulator stores each under the name rclone
 * stores with the same list (the hand-written table in spec/support, not our encoder), lists and
 * reads it back under the client's name.
 */
import assert from 'node:assert/strict';
import { decodeHrefSegment, encodeHrefSegment } from '../../lib/vfs/index.js';
import { RCLONE_ENCODING_TABLE } from '../support/rclone-encoding-table.js';
import { startBridge, startStack, type Bridge, type Stack } from '../support/stack.js';
import { RemoteView } from './helpers.js';

describe('e2e: names.encoding, flag by flag, as rclone stores names', function () {
  this.timeout(60_000);
  let stack: Stack;
  let remote: RemoteView;

  before(async () => {
    stack = await startStack();
    remote = await RemoteView.open(stack);
  });
  after(async () => {
    await stack?.close();
  });

  /** A second bridge on the same emulator account, with its own login and `names.encoding`. */
  const bridgeWith = (encoding: string): Promise<Bridge> => startBridge(stack.emulator, { users: stack.users, config: { names: { encoding }, log: { format: 'json', level: 'silent' } } });

  const request = (app: Bridge, method: string, segments: string[], init: { body?: string; headers?: Record<string, string> } = {}) =>
    fetch(new URL(segments.map(encodeHrefSegment).join('/'), app.url), { method, headers: { Authorization: stack.authHeader(), ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });

  async function listed(app: Bridge, folder: string): Promise<string[]> {
    const res = await request(app, 'PROPFIND', [folder, ''], { headers: { Depth: '1' } });
    const xml = await res.text();
    assert.equal(res.status, 207, xml);
    return [...xml.matchAll(/<(?:[A-Za-z]+:)?href>([^<]*)<\/(?:[A-Za-z]+:)?href>/g)].map((m) => decodeHrefSegment(m[1]!.replace(/\/$/, '').split('/').pop()!));
  }

  for (const [flag, cases] of Object.entries(RCLONE_ENCODING_TABLE)) {
    const travelling = cases.filter((c) => !c.notInHref);
    it(`${flag}: ${travelling.length} names stored as rclone stores them, listed and read back`, async () => {
      const app = await bridgeWith(flag);
      try {
        const folder = `flag-${flag}`;
        assert.equal((await request(app, 'MKCOL', [folder])).status, 201);
        for (const c of travelling) {
          const body = `content of ${JSON.stringify(c.name)}`;
          const put = await request(app, 'PUT', [folder, c.name], { body });
          assert.equal(put.status, 201, `PUT ${JSON.stringify(c.name)}: ${await put.text()}`);
          assert.ok((await remote.live(`/${folder}`)).includes(c.stored), `${JSON.stringify(c.name)} stored as ${JSON.stringify(c.stored)}: ${JSON.stringify(await remote.live(`/${folder}`))}`);
          const get = await request(app, 'GET', [folder, c.name]);
          assert.equal(get.status, 200, JSON.stringify(c.name));
          assert.equal(await get.text(), body);
        }
        const names = await listed(app, folder);
        for (const c of travelling) assert.ok(names.includes(c.name), `${JSON.stringify(c.name)} listed: ${JSON.stringify(names)}`);
      } finally {
        await app.close();
      }
    });
  }

  it('a name the list cannot store gets a 400 and nothing is written (None: a colon reaches the service raw and is refused)', async () => {
    const app = await bridgeWith('None');
    try {
      assert.equal((await request(app, 'MKCOL', ['refused'])).status, 201);
      const put = await request(app, 'PUT', ['refused', 'a:b'], { body: 'x' });
      assert.equal(put.status, 400, await put.text());
      const slash = await request(app, 'PUT', ['refused', 'a/b'], { body: 'x' });
      assert.equal(slash.status, 400, await slash.text());
      assert.deepEqual(await remote.live('/refused'), []);
    } finally {
      await app.close();
    }
  });
});
