/** The StorageBackend contract against the Jottacloud backend talking to the local emulator. */
import { storageBackendContract } from '../contracts/storage-backend.contract.js';
import { emulatorBackend, startTestEmulator, type TestEmulator } from './emulator-harness.js';

let harness: TestEmulator | undefined;

storageBackendContract(
  'Jottacloud backend against the emulator',
  async () => {
    harness = await startTestEmulator();
    return {
      backend: await emulatorBackend(harness.emu),
      cleanup: async () => {
        await harness?.close();
      },
    };
  },
  { base: '/contract' },
);
