/**
 * The processes of the benches, each on its own so that each server's RSS is its own: `jottadav
 * emulator` (the real CLI from the same build as this file), a child-process handle, and an RSS
 * sampler that reads /proc/<pid>/status.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The CLI of the same build: .build/<area>/bin or dist/bin. */
const BIN = fileURLToPath(new URL('../../bin/jottadav.js', import.meta.url));
const STARTUP_MS = 30_000;

export interface EmulatorInfo {
  url: string;
  jfs: string;
  api: string;
  wellKnown: string;
  loginToken: string;
  username: string;
}

export class Child {
  private stderrTail = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    // Last resort: never leave a child behind if the bench itself dies.
    const kill = () => proc.kill('SIGKILL');
    process.once('exit', kill);
    void this.exited.then(() => process.off('exit', kill));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Why it died, for error messages. */
  describe(): string {
    return `${this.name} exited (${this.proc.exitCode ?? this.proc.signalCode}); stderr: ${this.stderrTail.trim() || '(empty)'}`;
  }

  /** SIGTERM (graceful), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.alive) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function spawnCli(name: string, args: string[], nodeFlags: string[] = []): Child {
  return new Child(name, spawn(process.execPath, [...nodeFlags, BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }));
}

async function until<T>(child: Child, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (!child.alive) throw new Error(`${what}: ${child.describe()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not ready after ${STARTUP_MS} ms`);
}

/**
 * `dataDir` holds what the emulator stores; `dir` the info file. The emulator stands in for a
 * remote service whose disks are not the bridge's, so the bench gives it a RAM disk when it can
 * (see emulatorDataRoot): on one shared disk its writes would slow the bridge's spool and the
 * other way round, a contention the real deployment does not have.
 */
export async function startEmulatorProcess(dir: string, dataDir = join(dir, 'emulator-data')): Promise<{ child: Child; info: EmulatorInfo }> {
  const infoFile = join(dir, 'emulator.json');
  const child = spawnCli('emulator', ['emulator', '--port', '0', '--info-file', infoFile, '--data', dataDir]);
  try {
    const info = await until(child, 'emulator', async () => (existsSync(infoFile) ? (JSON.parse(readFileSync(infoFile, 'utf8')) as EmulatorInfo) : undefined));
    return { child, info };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/**
 * Where the emulator's data goes: JOTTADAV_BENCH_EMULATOR_DIR, else /dev/shm when it has room for
 * `bytes` plus 1 GiB, else the OS temp dir. Answers the directory and why.
 */
export async function emulatorDataRoot(bytes: number): Promise<{ root: string; why: string }> {
  const chosen = process.env['JOTTADAV_BENCH_EMULATOR_DIR'];
  if (chosen) return { root: chosen, why: 'JOTTADAV_BENCH_EMULATOR_DIR' };
  try {
    const fs = await statfs('/dev/shm');
    if (fs.bavail * fs.bsize > bytes + 1024 * 1024 * 1024) return { root: '/dev/shm', why: 'RAM disk' };
  } catch {
    // no /dev/shm: fall through
  }
  return { root: tmpdir(), why: 'no RAM disk with room: shares the disk with the bridge spool' };
}

/** A port free right now; a server binds it a moment later (loopback only, so a race is unlikely). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** RSS of a process from /proc/<pid>/status, in bytes; undefined once it is gone. */
async function rssOf(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may hold spaces): utime is the 14th field, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * Samples a process's RSS every `intervalMs` and keeps the peak since the last `mark()`.
 * The kernel's VmHWM is the exact peak; it is reset at each mark (clear_refs 5) where allowed
 * and reported as a cross-check of the sampled figure.
 */
export class RssSampler {
  private peak = 0;
  /** The peak over the whole run, never reset. */
  private highest = 0;
  private timer: NodeJS.Timeout | undefined;
  private hwmReset = false;

  constructor(
    readonly pid: number,
    readonly intervalMs = 50,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async now(): Promise<number> {
    return (await rssOf(this.pid)) ?? 0;
  }

  async mark(): Promise<number> {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      this.hwmReset = true;
    } catch {
      this.hwmReset = false;
    }
    this.peak = await this.now();
    return this.peak;
  }

  /** Peak RSS since the last mark: the sampled peak, and the kernel's VmHWM when it was reset. */
  async peakSinceMark(): Promise<{ sampled: number; hwm?: number }> {
    await this.sample();
    if (!this.hwmReset) return { sampled: this.peak };
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8').catch(() => '');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? { sampled: this.peak, hwm: Number(m[1]) * 1024 } : { sampled: this.peak };
  }

  async overallPeak(): Promise<number> {
    await this.sample();
    return this.highest;
  }

  private async sample(): Promise<void> {
    const rss = await rssOf(this.pid);
    if (rss !== undefined && rss > this.peak) this.peak = rss;
    if (rss !== undefined && rss > this.highest) this.highest = rss;
  }
}
