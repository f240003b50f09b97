/**
 * An upload to the service still in flight when the bridge shuts down and the grace runs out is
 * cut with the typed ABORTED error (AbortedError from lib/storage/errors.ts), and the service
 * keeps the previous version: whole stack in one process (dav → vfs → InterruptibleBackend →
 * Jottacloud client → emulator), the PUT over HTTP, the result read from the emulator.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '../support/stack.js';
import { dav, isUploadBytes, RemoteView } from './helpers.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

async function eventually(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('e2e: an upload cut at shutdown', function () {
  this.timeout(60_000);
  let stack: Stack | undefined;
  let spoolDir: string;
  const logLines: Array<Record<string, unknown>> = [];

  before(async () => {
    spoolDir = mkdtempSync(join(tmpdir(), 'e2e-cut-spool-'));
    stack = await startStack({
      // A body on disk, and a grace far shorter than the service's delay below.
      config: { uploads: { md5MemoryLimit: '1MiB', spoolDir }, shutdown: { grace: '200ms' } },
      logSink: { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
    });
  });
  after(async () => {
    await stack?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('rejects with the typed ABORTED error, and the previous version of the file stays intact', async () => {
    const s = stack as Stack;
    const previous = Buffer.from('the previous version');
    assert.equal((await dav(s, 'PUT', '/cut.bin', { body: previous })).status, 201);
    const remote = await RemoteView.open(s);
    // Larger than the loopback socket buffers: the body is still streaming when the cut comes.
    const fresh = Buffer.alloc(24 * MiB, 7);
    const upstreamDelayMs = 4_000;
    const since = s.emulator.controls.requests().length;
    s.emulator.controls.delay({ path: /^\/files\/v1\/upload\//, ms: upstreamDelayMs });
    const put = dav(s, 'PUT', '/cut.bin', { body: fresh }).then(
      (res) => ({ status: res.status }),
      (error: unknown) => ({ error: String(error) }),
    );
    await eventually('the bridge to start uploading the bytes', () => s.emulator.controls.requests().slice(since).some(isUploadBytes));
    const signalledAt = Date.now();

    await s.app.close();

    const outcome = await put;
    assert.ok(!('status' in outcome) || outcome.status >= 400, `the cut PUT was answered ${JSON.stringify(outcome)}`);
    await eventually('the cut to be logged', () => logLines.some((l) => l.msg === 'upload cut off; the previous version stays'));
    const cut = logLines.find((l) => l.msg === 'upload cut off; the previous version stays');
    assert.equal(cut?.code, 'ABORTED', JSON.stringify(cut));
    assert.equal(cut?.path, '/cut.bin');
    assert.ok(logLines.some((l) => l.msg === 'uploads cut off at shutdown; Jottacloud keeps the previous versions' && l.uploads === 1));
    // The Vfs removes the spool file once the upload has rejected.
    await eventually('the spool file to be removed', () => readdirSync(spoolDir).length === 0);

    // Let the emulator wake up and take whatever the bridge left on the wire before looking.
    await sleep(Math.max(0, signalledAt + upstreamDelayMs + 500 - Date.now()));
    const file = await remote.file('/cut.bin');
    assert.equal(file.md5, md5(previous));
    assert.equal(file.size, previous.length);
  });
});
