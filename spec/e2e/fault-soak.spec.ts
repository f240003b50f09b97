/**
 * The fault soak, short (the full one is `npm run bench:soak`): a seeded mix of every WebDAV
 * operation through the bridge while the emulator injects faults of every kind into 5% of the
 * upstream requests. No client sees an error, and the service ends up holding exactly what the
 * clients were told (nothing lost, nothing corrupted, nothing resurrected).
 */
import assert from 'node:assert/strict';
import { runSoak } from '../support/soak.js';

describe('e2e: transient upstream faults stay invisible (short fault soak)', function () {
  this.timeout(300_000);

  it('regression: 50 of 3,000 operations failed at 5% upstream faults — 300 operations, 0 errors, 0 lost, 0 corrupted', async () => {
    const result = await runSoak({ operations: 300, workers: 4, seed: 7, maxFileSize: 160 * 1024 });
    assert.ok(result.faultsInjected > 0, 'faults were injected');
    assert.deepEqual(
      { errors: result.errors, lost: result.lost, corrupted: result.corrupted, unexpected: result.unexpected },
      { errors: 0, lost: 0, corrupted: 0, unexpected: 0 },
      result.samples.join('\n'),
    );
  });
});
