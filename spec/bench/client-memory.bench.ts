/**
 * Memory of the Jottacloud client while it moves 1 GiB each way: upload (allocate + streamed
 * POST) and download (streamed mode=bin GET). The emulator runs in a child process, so the RSS
 * measured here is the client's alone. Target: RSS growth < 64 MiB.
 *
 * Alone: `npx tsc -p tsconfig.json && node dist/spec/bench/client-memory.bench.js`
 * (JOTTADAV_BENCH_BYTES overrides the size, e.g. for a quick try.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createJottacloudBackend } from '../../lib/jottacloud/create-backend.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import type { BenchResult } from './types.js';
import { ACCOUNT_MOUNT } from '../support/defaults.js';

const MiB = 1024 * 1024;
const CHILD_FLAG = '--emulator-child';
const self = fileURLToPath(import.meta.url);

interface ChildInfo {
  jfs: string;
  api: string;
  www: string;
  loginToken: string;
}

/** Child side: run the emulator and print where it is. */
async function childMain(): Promise<void> {
  const { startEmulator } = await import('../../lib/emulator/index.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'jottadav-bench-emu-'));
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, dataDir });
  const info: ChildInfo = { jfs: emu.urls.jfs, api: emu.urls.api, www: emu.urls.www, loginToken: emu.mintLoginToken() };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = async () => {
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop()); // parent gone
  process.stdin.resume();
}

const BLOCK = 64 * 1024;

/**
 * 64 KiB blocks (a socket-sized chunk: the source itself should not inflate RSS), each stamped
 * with its index so the file is not one repeated block.
 */
function* blocks(total: number): Generator<Buffer> {
  const block = Buffer.alloc(BLOCK);
  for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
  for (let offset = 0, n = 0; offset < total; offset += BLOCK, n++) {
    const out = Buffer.from(block.subarray(0, Math.min(BLOCK, total - offset)));
    if (out.length >= 8) out.writeBigUInt64LE(BigInt(n), 0);
    yield out;
  }
}

function bodyFrom(total: number, offset: number): Readable {
  // Any offset works: a resume may start mid-block.
  return Readable.from((function* () {
    let pos = 0;
    for (const b of blocks(total)) {
      if (pos + b.length <= offset) {
        pos += b.length;
        continue;
      }
      yield pos < offset ? b.subarray(offset - pos) : b;
      pos += b.length;
    }
  })());
}

class RssSampler {
  private peak = 0;
  private timer?: NodeJS.Timeout;
  constructor(readonly baseline: number) {}
  start(): void {
    this.peak = process.memoryUsage.rss();
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, process.memoryUsage.rss());
    }, 20);
  }
  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return (this.peak - this.baseline) / MiB;
  }
}

async function startChild(): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(process.execPath, [self, CHILD_FLAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const info = await new Promise<ChildInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator child exited early (${code})`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as ChildInfo));
  });
  return { child, info };
}

export async function run(): Promise<BenchResult[]> {
  const total = Number(process.env['JOTTADAV_BENCH_BYTES'] ?? 1024 * MiB);
  const { child, info } = await startChild();
  try {
    const backend = await createJottacloudBackend({
      ...ACCOUNT_MOUNT,
      store: new MemoryStore(),
      loginToken: info.loginToken,
      endpoints: { jfs: info.jfs, api: info.api, www: info.www },
    });
    // MD5 first (the service needs it before the upload), streamed.
    const hash = createHash('md5');
    for (const b of blocks(total)) hash.update(b);
    const md5 = hash.digest('hex');

    // Warm up: login, connections, code paths; then take the baseline.
    await backend.upload('/bench/warm.bin', { size: 3 * MiB, md5: createHash('md5').update(Buffer.concat([...blocks(3 * MiB)])).digest('hex'), open: (o) => bodyFrom(3 * MiB, o) });
    for await (const _ of await backend.read('/bench/warm.bin'));
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage.rss();

    const up = new RssSampler(baseline);
    up.start();
    let started = Date.now();
    const entry = await backend.upload('/bench/big.bin', { size: total, md5, open: (offset) => bodyFrom(total, offset) });
    const upSeconds = (Date.now() - started) / 1000;
    const upGrowth = up.stop();
    if (entry.md5 !== md5 || entry.size !== total) throw new Error('upload stored something else');

    const down = new RssSampler(baseline);
    down.start();
    started = Date.now();
    const check = createHash('md5');
    let received = 0;
    for await (const chunk of await backend.read('/bench/big.bin')) {
      check.update(chunk as Buffer);
      received += (chunk as Buffer).length;
    }
    const downSeconds = (Date.now() - started) / 1000;
    const downGrowth = down.stop();
    if (received !== total || check.digest('hex') !== md5) throw new Error('download returned something else');
    await backend.close();

    const gib = total / (1024 * MiB);
    const note = `emulator in a child process: client RSS only; baseline ${(baseline / MiB).toFixed(0)} MiB`;
    return [
      { name: `client upload ${gib} GiB: RSS growth`, value: upGrowth, unit: 'MiB', target: '< 64', note },
      { name: `client download ${gib} GiB: RSS growth`, value: downGrowth, unit: 'MiB', target: '< 64', note },
      { name: `client upload ${gib} GiB: throughput`, value: total / MiB / upSeconds, unit: 'MiB/s', note: 'loopback, includes emulator hashing' },
      { name: `client download ${gib} GiB: throughput`, value: total / MiB / downSeconds, unit: 'MiB/s', note: 'loopback' },
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

if (process.argv[1] === self) {
  if (process.argv.includes(CHILD_FLAG)) {
    void childMain();
  } else {
    run().then(
      (results) => {
        for (const r of results) console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.target ? ` (target ${r.target})` : ''}`);
      },
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  }
}
