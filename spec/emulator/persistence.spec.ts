import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { attr, decodeLoginToken, form, md5, session, textOf } from './helpers.js';

describe('emulator persistence', () => {
  let dir: string;
  let dataDir: string;
  const running: Emulator[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-emu-persist-'));
    dataDir = join(dir, 'data');
  });
  after(async () => {
    for (const e of running) await e.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const boot = async () => {
    const emu = await startEmulator({ dataDir, port: 0 });
    running.push(emu);
    return emu;
  };

  it('tree, revisions, trash, shares, partial uploads and sessions survive a restart; bodies live on disk', async () => {
    const first = await boot();
    const s = await session(first);
    await s.upload('Jotta/Archive/keep/a.txt', 'version one');
    await s.upload('Jotta/Archive/keep/a.txt', 'version two');
    await s.upload('Jotta/Archive/keep/trashed.txt', 'in trash');
    await s.post('Jotta/Archive/keep/trashed.txt', 'dl=true');
    await s.post('Jotta/Archive/keep/empty dir', 'mkDir=true');
    const share = await (await fetch(`${s.jfs('Jotta/Archive/keep/a.txt')}?mode=enableShare`, s.auth())).text();
    const uri = textOf(share, 'publicURI');
    const big = Buffer.alloc(100_000, 9);
    const { json } = await s.allocate({ path: '/jfs/Jotta/Archive/keep/partial.bin', bytes: big.length, md5: md5(big) });
    assert.equal((await fetch(json.upload_url, s.auth({ method: 'POST', body: big.subarray(0, 40_000) }))).status, 420);
    const tokens = await (await fetch(first.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'refresh_token', refresh_token: decodeLoginToken(first.loginToken).auth_token }))).json();
    assert.equal((tokens as { error: string }).error, 'invalid_grant', 'a login secret is not a refresh token');
    const unused = first.mintLoginToken();
    await first.close();
    running.pop();
    // Metadata is one JSON file, written atomically (no temp file left behind).
    assert.ok(existsSync(join(dataDir, 'state.json')));
    assert.deepEqual(readdirSync(dataDir).filter((n) => n.endsWith('.tmp')), []);
    assert.equal(JSON.parse(readFileSync(join(dataDir, "state.json"), "utf8")).version, 2);
    // Bodies are files keyed by md5+size.
    assert.ok(readdirSync(join(dataDir, 'blobs')).includes(`${md5('version two')}-11`));

    const second = await boot();
    assert.equal(second.username, s.user);
    const s2 = await session(second);
    assert.equal(await (await fetch(`${s2.jfs('Jotta/Archive/keep/a.txt')}?mode=bin`, s2.auth())).text(), 'version two');
    const doc = await (await s2.get('Jotta/Archive/keep/a.txt')).text();
    assert.match(doc, /<currentRevision><number>2<\/number>/);
    assert.match(doc, /<revision><number>1<\/number>/);
    assert.equal(textOf(doc, 'publicURI'), uri);
    assert.ok(attr(await (await s2.get('Jotta/Archive/keep/trashed.txt')).text(), 'file', 'deleted'));
    assert.equal((await s2.get('Jotta/Archive/keep/empty dir')).status, 200);
    assert.equal(await (await fetch(`${second.urls.www}opin/io/downloadPublic/${s.user}/${uri}`)).text(), 'version two');
    // The partial upload resumes where it stopped.
    const again = await s2.allocate({ path: '/jfs/Jotta/Archive/keep/partial.bin', bytes: big.length, md5: md5(big) });
    assert.equal(again.json.resume_pos, 40_000);
    const done = await fetch(again.json.upload_url, s2.auth({ method: 'POST', body: big.subarray(40_000), headers: { range: `bytes=40000-${big.length - 1}` } }));
    assert.equal(done.status, 200);
    // Tokens and login tokens survive too: the old access token still works, the unused login token logs in.
    assert.equal((await fetch(`${second.urls.api}account/v1/customer`, s.auth())).status, 200);
    const p = decodeLoginToken(unused);
    const login = await fetch(second.urls.tokenEndpoint, form({ client_id: 'jottacli', grant_type: 'password', username: p.username, password: p.auth_token }));
    assert.equal(login.status, 200);
  });

  it('hard delete and purge remove the bodies from disk', async () => {
    const emu = await boot();
    const s = await session(emu);
    await s.upload('Jotta/Archive/gc/only.txt', 'only copy of this');
    const blob = join(dataDir, 'blobs', `${md5('only copy of this')}-17`);
    assert.ok(existsSync(blob));
    await s.post('Jotta/Archive/gc/only.txt', 'dl=true');
    assert.ok(existsSync(blob), 'trash keeps the body');
    await s.api('files/v1/purge_trash', { method: 'POST' });
    assert.ok(!existsSync(blob));
  });

  it('without a dataDir the temporary directory is removed on close', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('jottadav-emulator-')));
    const emu = await startEmulator();
    const created = readdirSync(tmpdir()).filter((n) => n.startsWith('jottadav-emulator-') && !before.has(n));
    assert.equal(created.length, 1);
    await emu.close();
    assert.ok(!existsSync(join(tmpdir(), created[0]!)));
  });
});
