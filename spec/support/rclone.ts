/**
 * rclone (the Debian package) as a real WebDAV client in specs: finding the binary (CI must have
 * it; elsewhere the spec is pending with the reason), and running it with an empty config and
 * its config and cache dirs in a temp dir, killed if it overruns.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findBinary, requireBinary } from './required-binary.js';

export function requireRclone(ctx: Mocha.Context): string {
  return requireBinary(ctx, findBinary('rclone'), 'rclone');
}

export interface RcloneResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Rclone = (args: string[]) => Promise<RcloneResult>;

/** An rclone runner whose config, cache and home live in `dir` (an empty config is written). */
export async function rcloneIn(bin: string, dir: string): Promise<Rclone> {
  await mkdir(join(dir, 'home'), { recursive: true });
  await writeFile(join(dir, 'rclone.conf'), '');
  const env = {
    ...process.env,
    RCLONE_CONFIG: join(dir, 'rclone.conf'),
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_CACHE_HOME: join(dir, 'xdg-cache'),
    HOME: join(dir, 'home'),
    TZ: 'UTC',
  };
  return (args) =>
    new Promise((resolve) => {
      execFile(bin, [...args, '--cache-dir', join(dir, 'cache'), '--retries', '1', '--low-level-retries', '2'], { env, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
}

/** The flags of an on-the-fly `:webdav:` remote for a stack's first user (vendor owncloud). */
export async function webdavRemote(rclone: Rclone, path: string, url: string, user: string, password: string): Promise<string[]> {
  const obscured = await rclone(['obscure', password]);
  assert.equal(obscured.code, 0, obscured.stderr);
  return [`:webdav:${path}`, '--webdav-url', url, '--webdav-user', user, '--webdav-pass', obscured.stdout.trim(), '--webdav-vendor', 'owncloud'];
}
