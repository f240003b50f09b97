/** Temp dirs with config files, token files and a scrypt-shaped hash for the config specs. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Shaped like lib/dav's hashes; validation checks the shape only. */
export const HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'jottadav-config-'));

  file(name: string, content: unknown, mode = 0o600): string {
    const path = join(this.dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    chmodSync(path, mode);
    return path;
  }

  /** A token file as lib/jottacloud's FileTokenStore writes it. */
  token(name = 'token.json', mode = 0o600): string {
    return this.file(name, { accessToken: 'a', refreshToken: 'r', tokenType: 'bearer', expiresAt: 0, lifetimeSeconds: 3600, tokenEndpoint: 'http://127.0.0.1:1/t', clientId: 'jottacli', generation: 1 }, mode);
  }

  /** The smallest valid config: one account, one user. */
  minimal(extra: Record<string, unknown> = {}): string {
    this.token();
    return this.file('config.json', { accounts: { home: { tokenFile: 'token.json' } }, users: [{ name: 'alice', passwordHash: HASH }], ...extra });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
