/** Starts a throwaway redis-server on a free loopback port for a spec (no persistence). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createStore } from '../../lib/store/create-store.js';

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** `port`: restart on a known port (e.g. to test reconnection); default a free one. */
export async function startRedis(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  };
  // Ready once it answers a command.
  for (let i = 0; ; i++) {
    const probe = createStore({ kind: 'redis', url });
    try {
      await probe.get('probe');
      await probe.close();
      return { url, port, stop };
    } catch (error) {
      await probe.close().catch(() => undefined);
      if (i > 100 || child.exitCode !== null) {
        await stop();
        throw error;
      }
      await delay(50);
    }
  }
}

/**
 * A describe block with a private redis-server for its specs (`redis()` answers it once the
 * suite started), or a single skipped spec saying why where the binary is not installed.
 */
export function describeWithRedis(title: string, body: (redis: () => RedisServer) => void): void {
  describe(title, function () {
    if (!redisAvailable()) {
      it('needs the redis-server binary, which is not installed here (skipped)', function () {
        this.skip();
      });
      return;
    }
    let server: RedisServer | undefined;
    before(async function () {
      this.timeout(15_000);
      server = await startRedis();
    });
    after(async () => {
      await server?.stop();
    });
    body(() => server as RedisServer);
  });
}
