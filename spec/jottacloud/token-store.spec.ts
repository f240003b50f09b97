import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTokenStore } from '../../lib/jottacloud/token-store.js';
import { storedToken as token } from '../contracts/token-store.contract.js';

// What both token stores promise is in spec/contracts/token-store.spec.ts; this is the file's own.
describe('FileTokenStore', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jottadav-tokens-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes mode 0600 through a temp file and leaves no temp behind', async () => {
    const file = join(dir, 'mode', 'token.json');
    const store = new FileTokenStore(file);
    await Promise.all([store.save(token(1)), store.save(token(2)), store.save(token(3))]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, 'mode')), ['token.json']);
    const loaded = await store.load();
    assert.ok(loaded && [1, 2, 3].includes(loaded.generation), 'a whole token, never a mix');
  });
});
