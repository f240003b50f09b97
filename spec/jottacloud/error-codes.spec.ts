/**
 * Every Jottacloud failure carries a stable `code` (messages may be reworded, codes are what logs
 * are searched for), and the client reaches those codes from real failures: the emulator's fault
 * switches over HTTP, not hand-built errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JfsLocation } from '../../lib/jottacloud/client.js';
import {
  isJottaError,
  JOTTA_ERROR_CODES,
  JOTTA_HTTP_ERROR_CODES,
  JottaAbortError,
  JottaAuthError,
  JottaChangedError,
  JottaConfigError,
  JottaHttpError,
  JottaIntegrityError,
  JottaNetworkError,
  JottaProtocolError,
  type JottaErrorCode,
} from '../../lib/jottacloud/errors.js';
import { isStorageError } from '../../lib/storage/errors.js';
import { isAbortError, isConnectionError, isUnsentError } from '../../lib/util/retry.js';
import { projectRoot } from '../support/project-root.js';
import { emulatorBackend, emulatorBackendForSuite, FAST_RETRY, requestsSince, startTestEmulator } from '../support/emulator.js';

const at = (...segments: string[]): JfsLocation => ({ device: 'Jotta', mountPoint: 'Archive', segments });

/** Asserts that `work` rejects with a Jottacloud error of `code`, and returns it. */
async function rejectsWith(work: Promise<unknown>, code: JottaErrorCode): Promise<unknown> {
  let caught: unknown;
  await assert.rejects(work, (error: unknown) => {
    caught = error;
    assert.ok(isJottaError(error), `not a Jottacloud error: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
  return caught;
}

describe('jottacloud: stable error codes', () => {
  it('each error class has its own code, and the codes of one class never name another', () => {
    const byClass: Record<string, string> = {
      JottaAuthError: new JottaAuthError(400, 'invalid_grant').code,
      JottaNetworkError: new JottaNetworkError('reset').code,
      JottaProtocolError: new JottaProtocolError('odd').code,
      JottaConfigError: new JottaConfigError('bad token').code,
      JottaAbortError: new JottaAbortError('aborted').code,
      JottaChangedError: new JottaChangedError('new revision').code,
      JottaIntegrityError: new JottaIntegrityError('md5').code,
    };
    const single = Object.values(byClass);
    assert.equal(new Set(single).size, single.length, JSON.stringify(byClass));
    for (const code of single) assert.ok(!(JOTTA_HTTP_ERROR_CODES as readonly string[]).includes(code), code);
    assert.deepEqual([...single, ...JOTTA_HTTP_ERROR_CODES].sort(), [...JOTTA_ERROR_CODES].sort());
    for (const code of JOTTA_ERROR_CODES) assert.match(code, /^JOTTA_[A-Z_]+$/);
  });

  it('an HTTP failure is coded by its status, a full account by its exception name as well', () => {
    const codeOf = (status: number, exception?: string) => new JottaHttpError({ status, ...(exception ? { exception } : {}) }).code;
    assert.equal(codeOf(404, 'NoSuchFileException'), 'JOTTA_NOT_FOUND');
    assert.equal(codeOf(401, 'BadCredentialsException'), 'JOTTA_UNAUTHORIZED');
    assert.equal(codeOf(403), 'JOTTA_FORBIDDEN');
    assert.equal(codeOf(409), 'JOTTA_CONFLICT');
    assert.equal(codeOf(429), 'JOTTA_RATE_LIMITED');
    assert.equal(codeOf(507), 'JOTTA_QUOTA_EXCEEDED');
    assert.equal(codeOf(400, 'QuotaExceededException'), 'JOTTA_QUOTA_EXCEEDED');
    assert.equal(codeOf(500), 'JOTTA_SERVER_ERROR');
    assert.equal(codeOf(503), 'JOTTA_SERVER_ERROR');
    assert.equal(codeOf(400, 'InvalidArgumentException'), 'JOTTA_HTTP_ERROR');
    assert.equal(codeOf(420), 'JOTTA_HTTP_ERROR');
  });

  it("regression: a wrapper's own code does not hide the system code underneath (retries and aborts are told by those)", () => {
    const sys = (code: string) => Object.assign(new Error(code), { code });
    assert.ok(isConnectionError(new JottaNetworkError('reset', { cause: sys('ECONNRESET') })));
    assert.ok(isUnsentError(new JottaNetworkError('refused', { cause: sys('ECONNREFUSED') })));
    assert.ok(isAbortError(new JottaAbortError('aborted', { cause: sys('ABORT_ERR') })));
    assert.ok(!isConnectionError(new JottaProtocolError('odd')));
  });

  it('every code is documented for operators (docs/errors.md) and in the table in errors.ts', () => {
    const root = projectRoot();
    const docs = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const source = readFileSync(join(root, 'lib', 'jottacloud', 'errors.ts'), 'utf8');
    for (const code of JOTTA_ERROR_CODES) {
      assert.ok(docs.includes(`\`${code}\``), `docs/errors.md does not list ${code}`);
      assert.match(source, new RegExp(`^ \\* \\| ${code} `, 'm'), `the table in errors.ts does not list ${code}`);
    }
  });
});

describe('jottacloud: the client reaches those codes from real failures (emulator)', function () {
  this.timeout(60_000);
  const suite = emulatorBackendForSuite();

  it('a missing file is JOTTA_NOT_FOUND, and the backend keeps it as the cause of NOT_FOUND', async () => {
    await rejectsWith(suite.backend.client.get(at('no-such-file.txt')), 'JOTTA_NOT_FOUND');
    await assert.rejects(suite.backend.stat('/no-such-file.txt'), (error: unknown) => {
      assert.ok(isStorageError(error, 'NOT_FOUND'));
      assert.ok(isJottaError(error.cause, 'JOTTA_NOT_FOUND'), String(error.cause));
      return true;
    });
  });

  it('a 503 on every attempt is JOTTA_SERVER_ERROR once the retries are spent', async () => {
    const mark = suite.emu.controls.requests().length;
    suite.emu.controls.failNext({ path: /\/always-503$/, status: 503, times: 100 });
    await rejectsWith(suite.backend.client.get(at('always-503')), 'JOTTA_SERVER_ERROR');
    const attempts = requestsSince(suite.emu, mark).filter((r) => r.path.endsWith('/always-503'));
    assert.equal(attempts.length, FAST_RETRY.maxAttempts, 'every attempt was made');
  });

  it('a 429 on every attempt is JOTTA_RATE_LIMITED', async () => {
    suite.emu.controls.failNext({ path: /\/always-429$/, status: 429, times: 100 });
    await rejectsWith(suite.backend.client.get(at('always-429')), 'JOTTA_RATE_LIMITED');
  });

  it('a 401 that a fresh token does not cure is JOTTA_UNAUTHORIZED', async () => {
    suite.emu.controls.failNext({ path: /\/always-401$/, status: 401, times: 100 });
    await rejectsWith(suite.backend.client.get(at('always-401')), 'JOTTA_UNAUTHORIZED');
  });

  it('a connection dropped on every attempt is JOTTA_NETWORK', async () => {
    suite.emu.controls.dropNext({ path: /\/always-dropped$/, at: 'before', times: 100 });
    await rejectsWith(suite.backend.client.get(at('always-dropped')), 'JOTTA_NETWORK');
  });

  it('a 401 whose refresh is refused is JOTTA_AUTH (the user must log in again)', async () => {
    // On an emulator of its own: revoking the sessions would end the other tests' session too.
    const own = await startTestEmulator();
    const backend = await emulatorBackend(own.emu);
    try {
      await backend.mkdir('/present');
      own.emu.controls.revokeRefreshTokens();
      own.emu.controls.expireTokens();
      await rejectsWith(backend.client.get(at('present')), 'JOTTA_AUTH');
    } finally {
      await backend.close();
      await own.close();
    }
  });
});
