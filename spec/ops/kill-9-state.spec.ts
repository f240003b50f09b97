/**
 * Crash safety of the default store: `jottadav serve` (a real child process, with the config
 * `jottadav login` writes, so the on-disk store in its data directory) is killed with SIGKILL in
 * the middle of a burst of LOCK and PROPPATCH requests. After a restart every lock and every dead
 * property that got a 2xx answer is still there, and so are the placeholders the locks created.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { writeServeConfig } from '../support/stack.js';
import { basic, raw, servedUrl, startChild, type Child } from './support.js';

const USER = { name: 'crash', password: 'kill-9-pw' };
const AUTH = basic(USER.name, USER.password);
const FILES = 8;
const PARALLEL = 8;
/** Confirmed requests before the kill: enough that more are in flight when it lands. */
const KILL_AFTER = 120;

interface Confirmed {
  locks: Array<{ path: string; token: string }>;
  props: Array<{ path: string; name: string; value: string }>;
}

const lockBody = (owner: string) =>
  `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>${owner}</D:owner></D:lockinfo>`;
const proppatchBody = (name: string, value: string) =>
  `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:K="urn:kill-9"><D:set><D:prop><K:${name}>${value}</K:${name}></D:prop></D:set></D:propertyupdate>`;
const propfindBody = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:K="urn:kill-9"><D:prop>${inner}</D:prop></D:propfind>`;

describe('ops: kill -9 of `jottadav serve` during LOCK and PROPPATCH (default on-disk store)', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let dir: string;
  let configFile: string;
  let child: Child | undefined;

  before(async () => {
    emulator = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'jottadav-ops-kill9-'));
    // What `jottadav login` writes: no `store` and no `dataDir`, so both defaults apply.
    configFile = await writeServeConfig(emulator, dir, USER);
  });
  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });
  after(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = async (): Promise<string> => {
    child = startChild(['serve', '--config', configFile]);
    return servedUrl(child);
  };

  it('every lock and dead property confirmed before the SIGKILL is there after the restart', async () => {
    let url = await serve();
    for (let i = 0; i < FILES; i++) {
      const put = await raw(url, 'PUT', `/f${i}.txt`, { headers: { Authorization: AUTH }, body: `file ${i}` });
      assert.equal(put.status, 201);
    }

    const confirmed: Confirmed = { locks: [], props: [] };
    let sequence = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      child!.process.kill('SIGKILL');
    };
    // Each worker alternates: LOCK of a new (unmapped) name, PROPPATCH of an existing file.
    const worker = async (w: number) => {
      while (!killed) {
        const n = sequence++;
        try {
          if (n % 2 === 0) {
            const path = `/locked-${w}-${n}.txt`;
            const res = await raw(url, 'LOCK', path, { headers: { Authorization: AUTH, Timeout: 'Second-3600', 'Content-Type': 'application/xml' }, body: lockBody(`owner-${n}`) });
            const token = /<([^>]+)>/.exec(String(res.headers['lock-token'] ?? ''))?.[1];
            if (res.status >= 200 && res.status < 300 && token) confirmed.locks.push({ path, token });
          } else {
            const path = `/f${n % FILES}.txt`;
            const name = `p${n}`;
            const value = `value-${n}`;
            const res = await raw(url, 'PROPPATCH', path, { headers: { Authorization: AUTH, 'Content-Type': 'application/xml' }, body: proppatchBody(name, value) });
            if (res.status === 207 && /HTTP\/1\.1 200/.test(res.body) && !/HTTP\/1\.1 (4|5)\d\d/.test(res.body)) confirmed.props.push({ path, name, value });
          }
        } catch {
          // A request cut off by the kill has no answer: nothing was confirmed.
        }
        if (confirmed.locks.length + confirmed.props.length >= KILL_AFTER) kill();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, (_, w) => worker(w)));
    const code = await child!.exited;
    assert.equal(code, null, 'killed by a signal');
    assert.ok(confirmed.locks.length > 10 && confirmed.props.length > 10, JSON.stringify({ locks: confirmed.locks.length, props: confirmed.props.length }));

    url = await serve();
    const missingLocks: string[] = [];
    for (const { path, token } of confirmed.locks) {
      const res = await raw(url, 'PROPFIND', path, { headers: { Authorization: AUTH, Depth: '0', 'Content-Type': 'application/xml' }, body: propfindBody('<D:lockdiscovery/>') });
      if (res.status !== 207 || !res.body.includes(token)) missingLocks.push(`${path} (${res.status})`);
    }
    const missingProps: string[] = [];
    for (const { path, name, value } of confirmed.props) {
      const res = await raw(url, 'PROPFIND', path, { headers: { Authorization: AUTH, Depth: '0', 'Content-Type': 'application/xml' }, body: propfindBody(`<K:${name}/>`) });
      if (res.status !== 207 || !res.body.includes(`>${value}<`)) missingProps.push(`${path} ${name} (${res.status})`);
    }
    assert.deepEqual(missingLocks, [], `${missingLocks.length} of ${confirmed.locks.length} locks lost`);
    assert.deepEqual(missingProps, [], `${missingProps.length} of ${confirmed.props.length} properties lost`);
    // A confirmed lock still holds: another lock request on its resource is refused.
    const first = confirmed.locks[0]!;
    const again = await raw(url, 'LOCK', first.path, { headers: { Authorization: AUTH, 'Content-Type': 'application/xml' }, body: lockBody('intruder') });
    assert.equal(again.status, 423);
  });
});
