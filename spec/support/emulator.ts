/** The one emulator setup of the specs, and Jottacloud backends logged in to it. */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../lib/emulator/index.js';
import { createJottacloudBackend, type CreateJottacloudBackendOptions } from '../../lib/jottacloud/create-backend.js';
import type { JottacloudBackend } from '../../lib/jottacloud/backend.js';
import { KeyValueTokenStore } from '../../lib/jottacloud/token-store.js';
import type { KeyValueStore } from '../../lib/store/key-value-store.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import type { RetryPolicy } from '../../lib/util/retry.js';
import { ACCOUNT_MOUNT } from './defaults.js';

/** Small waits so specs stay fast; the bounds still apply. */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40, maxElapsedMs: 15_000 };

export interface TestEmulator {
  emu: Emulator;
  close(): Promise<void>;
}

/**
 * The one emulator setup of the specs: loopback, port 0, and (unless `options.dataDir` says
 * otherwise) a data directory of its own that closing removes.
 */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  return { emu, close: () => emu.close() };
}

/**
 * A backend logged in to the emulator. Each call mints a fresh login token unless a store that
 * already holds a session is given (login tokens are single use).
 */
export async function emulatorBackend(
  emu: Emulator,
  options: { store?: KeyValueStore } & Partial<CreateJottacloudBackendOptions> = {},
): Promise<JottacloudBackend> {
  const store = options.store ?? new MemoryStore();
  const tokenStore = options.tokenStore ?? new KeyValueTokenStore(store);
  const loginToken = (await tokenStore.load()) ? undefined : emu.mintLoginToken();
  return createJottacloudBackend({
    ...ACCOUNT_MOUNT,
    retry: FAST_RETRY,
    ...options,
    tokenStore,
    loginToken,
    endpoints: { jfs: emu.urls.jfs, api: emu.urls.api, www: emu.urls.www },
  });
}

/** The emulator's request log from `mark` on. */
export function requestsSince(emu: Emulator, mark: number) {
  return emu.controls.requests().slice(mark);
}

export function refreshCount(entries: ReturnType<Emulator['controls']['requests']>): number {
  return entries.filter((r) => r.grantType === 'refresh_token').length;
}

/** One emulator and one backend logged in to it, shared by every test of a describe block. */
export interface EmulatorBackendSuite {
  readonly emu: Emulator;
  readonly backend: JottacloudBackend;
}

/**
 * Registers the before and after hooks of the calling describe block that start the emulator and
 * log a backend in to it, and close both. The getters are valid inside the block's tests.
 */
export function emulatorBackendForSuite(): EmulatorBackendSuite {
  let harness: TestEmulator | undefined;
  let backend: JottacloudBackend | undefined;
  before(async () => {
    harness = await startTestEmulator();
    backend = await emulatorBackend(harness.emu);
  });
  after(async () => {
    await backend?.close();
    await harness?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('emulatorBackendForSuite: used outside its describe block or before its hook ran');
    return value;
  };
  return {
    get emu() {
      return started(harness).emu;
    },
    get backend() {
      return started(backend);
    },
  };
}
