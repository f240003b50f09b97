/**
 * `npm run bench:load [-- --clients N --seconds S --seed S --cpu-prof DIR]`: many WebDAV clients at once on the
 * real stack, each process on its own: `jottadav emulator` and `jottadav serve` on the config
 * `jottadav login` writes (the defaults). Prints p50/p99/max per method, the errors and the
 * bridge's peak RSS; exits 1 on any error. Timing figures are printed, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatLoad, LOAD_DEFAULTS, runLoad } from '../support/load.js';
import { emulatorDataRoot, RssSampler, startEmulatorProcess } from './bridge-processes.js';
import { startDefaultBridge } from './default-bridge.js';

const { values } = parseArgs({ options: { clients: { type: 'string' }, seconds: { type: 'string' }, seed: { type: 'string' }, 'cpu-prof': { type: 'string' } } });
const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const clients = number(values.clients, LOAD_DEFAULTS.clients);
const seconds = number(values.seconds, LOAD_DEFAULTS.seconds);
const seed = number(values.seed, LOAD_DEFAULTS.seed);

const dir = mkdtempSync(join(tmpdir(), 'jottadav-load-'));
const dataRoot = await emulatorDataRoot(256 * 1024 * 1024);
const emulatorData = mkdtempSync(join(dataRoot.root, 'jottadav-load-emulator-'));
const emulator = await startEmulatorProcess(dir, emulatorData);
try {
  // --cpu-prof DIR: the bridge writes a V8 CPU profile there when it stops.
  const bridge = await startDefaultBridge(dir, emulator.info, values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []);
  try {
    console.error(`load: ${clients} clients for ${seconds} s (seed ${seed}), small PUT/GET/PROPFIND; emulator data on ${dataRoot.why}`);
    const authorization = `Basic ${Buffer.from(`${bridge.user}:${bridge.password}`).toString('base64')}`;
    const sampler = new RssSampler(bridge.child.pid);
    await sampler.mark();
    sampler.start();
    const result = await runLoad({ url: bridge.url, authorization, clients, seconds, seed });
    sampler.stop();
    const peak = await sampler.peakSinceMark();
    console.log(formatLoad(result).join('\n'));
    console.log(`bridge peak RSS: ${(Math.max(peak.sampled, peak.hwm ?? 0) / 1024 / 1024).toFixed(1)} MiB (target ≤ 128)`);
    process.exitCode = result.errors === 0 ? 0 : 1;
  } finally {
    await bridge.child.stop();
  }
} finally {
  await emulator.child.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(emulatorData, { recursive: true, force: true });
}
