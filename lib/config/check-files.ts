/**
 * The checks that look at the disk: token files (present, readable, JSON, private), the TLS
 * pair (readable PEM, key matches certificate, not expired), the spool and data directories.
 * Synchronous on purpose: it runs once at start-up and in check-config.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { JottadavConfig } from './types.js';
import type { Problems } from './validate.js';

export function checkFiles(cfg: JottadavConfig, p: Problems): void {
  for (const [name, account] of Object.entries(cfg.accounts)) {
    if (account.tokenFile) checkTokenFile(account.tokenFile, `accounts.${name}.tokenFile`, p);
  }
  checkTls(cfg, p);
  checkDir(cfg.uploads.spoolDir, 'uploads.spoolDir', p, true);
  if (cfg.store === 'file') checkDir(cfg.dataDir, 'dataDir', p, false);
}

export function checkTokenFile(file: string, at: string, p: Problems): void {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      p.error(at, `${file} is not a regular file`, 'point tokenFile at the file `jottadav login` wrote');
      return;
    }
    text = readFileSync(file, 'utf8');
    // Group/other bits on a file holding a refresh token: anyone who can read it owns the account.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      p.warn(at, `${file} is readable by others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')})`, `chmod 600 ${file}`);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') p.error(at, `${file} does not exist`, `run \`jottadav login --token-file ${file}\` to create it`);
    else if (code === 'EACCES') p.error(at, `${file} is not readable by this user`, 'run jottadav as the user who ran `jottadav login`, or fix the owner');
    else p.error(at, `${file} cannot be read (${code ?? String(error)})`, 'check the path');
    return;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    // Never quote the content: it is a token.
    p.error(at, `${file} is not a jottadav token file (not a JSON object)`, 'run `jottadav login` again to rewrite it');
  }
}

function checkTls(cfg: JottadavConfig, p: Problems): void {
  const { cert, key } = cfg.server.tls;
  const certPem = cert !== null ? readPem(cert, 'server.tls.cert', p) : undefined;
  const keyPem = key !== null ? readPem(key, 'server.tls.key', p) : undefined;
  let x509: X509Certificate | undefined;
  if (certPem !== undefined) {
    try {
      x509 = new X509Certificate(certPem);
      if (Date.parse(x509.validTo) < Date.now()) p.error('server.tls.cert', `certificate expired on ${x509.validTo}`, 'renew it; clients refuse expired certificates');
    } catch {
      p.error('server.tls.cert', `${cert} is not a PEM certificate`, 'expected a file starting with -----BEGIN CERTIFICATE-----');
    }
  }
  if (keyPem !== undefined) {
    try {
      const privateKey = createPrivateKey(keyPem);
      if (x509 && !x509.checkPrivateKey(privateKey)) p.error('server.tls.key', `${key} does not belong to the certificate ${cert}`, 'use the key the certificate was issued for');
    } catch {
      p.error('server.tls.key', `${key} is not an unencrypted PEM private key`, 'expected -----BEGIN PRIVATE KEY----- (decrypt it with openssl pkey if it has a passphrase)');
    }
  }
}

function readPem(file: string, at: string, p: Problems): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    p.error(at, code === 'ENOENT' ? `${file} does not exist` : `${file} cannot be read (${code ?? 'error'})`, 'check the path (relative paths start at the config file\u2019s folder)');
    return undefined;
  }
}

function checkDir(dir: string, at: string, p: Problems, mustExist: boolean): void {
  try {
    if (!statSync(dir).isDirectory()) {
      p.error(at, `${dir} is not a directory`, 'point it at a directory');
      return;
    }
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (mustExist) p.error(at, `${dir} does not exist`, `mkdir -p ${dir}`);
    } else {
      p.error(at, `${dir} is not writable by this user`, 'fix its owner or permissions');
    }
  }
}
