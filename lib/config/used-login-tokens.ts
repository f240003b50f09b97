/**
 * A record of the personal login tokens this machine has already exchanged, as SHA-256 digests
 * only. The identity server answers a reused token and a mistyped one identically (401
 * invalid_grant), so only a local memory can tell a user "you already used this one".
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeConfigFile } from './write-config.js';

export const USED_LOGIN_TOKENS_FILE = 'used-login-tokens.json';
const KEEP = 200;

interface Record_ {
  sha256: string;
  usedAt: string;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

async function load(dir: string): Promise<Record_[]> {
  try {
    const value = JSON.parse(await readFile(join(dir, USED_LOGIN_TOKENS_FILE), 'utf8')) as unknown;
    return Array.isArray(value) ? value.filter((r): r is Record_ => typeof r?.sha256 === 'string' && typeof r?.usedAt === 'string') : [];
  } catch {
    return [];
  }
}

/** When `secret` (the token's auth_token) was exchanged from `dir`'s config, or undefined. */
export async function whenLoginTokenUsed(dir: string, secret: string): Promise<Date | undefined> {
  const hit = (await load(dir)).find((r) => r.sha256 === digest(secret));
  return hit ? new Date(hit.usedAt) : undefined;
}

export async function rememberLoginTokenUsed(dir: string, secret: string, when = new Date()): Promise<void> {
  const records = [...(await load(dir)), { sha256: digest(secret), usedAt: when.toISOString() }].slice(-KEEP);
  // Written like the config: atomic and 0600. The file holds digests of one-time secrets only.
  await writeConfigFile(join(dir, USED_LOGIN_TOKENS_FILE), records);
}
