/**
 * What one small PUT and one warm PROPFIND cost jottadav itself, on its defaults (the config
 * `jottadav login` writes): CPU milliseconds of the bridge process per request (from
 * /proc/<pid>/stat, so other work on a shared machine does not blur it the way wall clock does)
 * and upstream requests per PUT (the emulator's request log). The direct protocol needs exactly
 * two upstream requests per new small file: allocate and upload.
 *
 * `node dist/spec/bench/small-request-cost.js [--puts N] [--files N] [--cpu-prof DIR] [--only put|propfind]`
 */
import '../../lib/cli/gc-tuning.js';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { content, Dav, DirectJotta, HttpClient, inParallel, prefixOf } from './bridge-http.js';
import { readFile } from 'node:fs/promises';
import { emulatorDataRoot, startEmulatorProcess, type EmulatorInfo } from './bridge-processes.js';
import { startDefaultBridge } from './default-bridge.js';
import { freshLogin } from './rclone-side.js';

const { values } = parseArgs({ options: { puts: { type: 'string' }, files: { type: 'string' }, 'cpu-prof': { type: 'string' }, only: { type: 'string' } } });
const PUTS = Number(values.puts ?? 1000);
const FILES = Number(values.files ?? 10_000);
const SMALL = 4096;

/** User and system CPU seconds a process has used so far (/proc/<pid>/stat, fields 14 and 15). */
async function cpuOf(pid: number): Promise<{ user: number; system: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** CPU milliseconds per item of `work` in process `pid`: user, system. */
async function cpuPer<T>(pid: number, items: number, work: () => Promise<T>): Promise<{ value: T; user: number; system: number; wall: number; text: string }> {
  const a = await cpuOf(pid);
  const t0 = performance.now();
  const value = await work();
  const wall = performance.now() - t0;
  const b = await cpuOf(pid);
  const user = ((b.user - a.user) * 1000) / items;
  const system = ((b.system - a.system) * 1000) / items;
  return { value, user, system, wall, text: `${(user + system).toFixed(2)} ms CPU each (user ${user.toFixed(2)}, sys ${system.toFixed(2)}), ${wall.toFixed(0)} ms wall` };
}

async function upstream(emulator: EmulatorInfo): Promise<Array<{ method: string; path: string }>> {
  return (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as Array<{ method: string; path: string }>;
}
async function resetLog(emulator: EmulatorInfo): Promise<void> {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
}

function summary(calls: Array<{ method: string; path: string }>, per: number): string {
  const kinds = new Map<string, number>();
  for (const c of calls) {
    const kind = `${c.method} ${c.path.replace(/\/[^/]*$/, '/…').replace(/\/upload\/.*/, '/upload/…').replace(/(\/Archive\/[^/]+).*/, '$1/…')}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${(n / per).toFixed(2)} × ${k}`).join('; ');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'jottadav-small-request-cost-'));
  const data = await mkdtemp(join((await emulatorDataRoot(0)).root, 'jottadav-small-request-cost-emulator-'));
  const http = new HttpClient();
  const emulator = await startEmulatorProcess(dir, data);
  const flags = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  let bridge: Awaited<ReturnType<typeof startDefaultBridge>> | undefined;
  try {
    const token = (await freshLogin(emulator.info)).accessToken;
    const direct = new DirectJotta(http, emulator.info.api, emulator.info.jfs, emulator.info.username, token);
    const only = values.only;
    if (only !== 'put') {
      const body = Buffer.from('one of many files in a big folder\n');
      const sum = createHash('md5').update(body).digest('hex');
      await inParallel(FILES, 16, (i) => direct.upload(`/listing/file-${String(i).padStart(6, '0')}.txt`, body.length, sum, () => body));
    }
    bridge = await startDefaultBridge(join(dir, 'jottadav'), emulator.info, flags);
    const dav = new Dav(http, bridge.url, bridge.user, bridge.password);
    const pid = bridge.child.pid;
    await dav.propfind('/', '0');
    if (only !== 'propfind') {
      for (const concurrency of [1, 8]) {
        const label = concurrency === 1 ? 'sequential' : `${concurrency} parallel`;
        // Different bytes on each side: the service would deduplicate a repeated content (no upload at all).
        const bodiesOf = (side: string) => Promise.all(Array.from({ length: PUTS + 50 }, (_, i) => prefixOf(content(`${side}-${concurrency}-${i}`, SMALL), SMALL)));
        const directBodies = await bodiesOf('direct');
        const bodies = await bodiesOf('jottadav');
        const sums = directBodies.map((b) => createHash('md5').update(b).digest('hex'));
        // The direct protocol from this process, for scale: what a client doing exactly allocate + upload spends.
        const name = (folder: string, i: number) => `${folder}/f-${String(i).padStart(5, '0')}.bin`;
        const d = await cpuPer(process.pid, PUTS, () => inParallel(PUTS, concurrency, (i) => direct.upload(name(`/direct-${concurrency}`, i), SMALL, sums[i]!, () => directBodies[i]!)));
        console.log(`direct ${label}: this client ${d.text}`);
        const folder = `/small-${concurrency}`;
        await dav.mkcol(folder);
        await inParallel(50, concurrency, (i) => dav.put(name(folder, PUTS + i), SMALL, bodies[PUTS + i]!)); // warm-up
        await resetLog(emulator.info);
        const j = await cpuPer(pid, PUTS, () => inParallel(PUTS, concurrency, (i) => dav.put(name(folder, i), SMALL, bodies[i]!)));
        const calls = await upstream(emulator.info);
        console.log(`PUT ${label}: bridge ${j.text}; upstream ${(calls.length / PUTS).toFixed(2)} each: ${summary(calls, PUTS)}`);
      }
    }
    if (only !== 'put') {
      const t0 = performance.now();
      const n = await dav.propfind('/listing', '1');
      const cold = performance.now() - t0;
      if (n !== FILES + 1) throw new Error(`PROPFIND: ${n} responses`);
      const rounds = 20;
      await resetLog(emulator.info);
      const times: number[] = [];
      const client0 = process.cpuUsage();
      const w = await cpuPer(pid, rounds, async () => {
        for (let i = 0; i < rounds; i++) {
          const t = performance.now();
          await dav.propfind('/listing', '1');
          times.push(performance.now() - t);
        }
      });
      const client = process.cpuUsage(client0);
      const calls = await upstream(emulator.info);
      times.sort((a, b) => a - b);
      console.log(`PROPFIND Depth 1, ${FILES} files: cold ${cold.toFixed(0)} ms wall; warm: bridge ${w.text}, median ${times[rounds >> 1]!.toFixed(0)} ms wall; this client ${((client.user + client.system) / 1000 / rounds).toFixed(1)} ms CPU each; upstream ${(calls.length / rounds).toFixed(2)} each: ${summary(calls, rounds)}`);
    }
  } finally {
    await bridge?.child.stop();
    await emulator.child.stop();
    http.close();
    await rm(dir, { recursive: true, force: true });
    await rm(data, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
