import assert from 'node:assert/strict';
import { STATUS_BY_CODE } from '../../lib/dav/index.js';
import { asDavError, DavError, statusOf } from '../../lib/dav/errors.js';
import { STORAGE_ERROR_CODES, StorageError } from '../../lib/storage/errors.js';

describe('dav: StorageError → HTTP status table', () => {
  it('maps every StorageError code to a 4xx or 5xx (the type also makes the compiler check it)', () => {
    assert.deepEqual(Object.keys(STATUS_BY_CODE).sort(), [...STORAGE_ERROR_CODES].sort());
    for (const code of STORAGE_ERROR_CODES) assert.ok(STATUS_BY_CODE[code] >= 400 && STATUS_BY_CODE[code] < 600, code);
  });

  it('uses the statuses RFC 4918 and clients expect for the common codes', () => {
    assert.equal(statusOf(new StorageError('NOT_FOUND', 'x')), 404);
    assert.equal(statusOf(new StorageError('PARENT_MISSING', 'x')), 409);
    assert.equal(statusOf(new StorageError('PERMISSION_DENIED', 'x')), 403);
    assert.equal(statusOf(new StorageError('QUOTA_EXCEEDED', 'x')), 507);
    assert.equal(statusOf(new StorageError('LOCKED', 'x')), 423);
    assert.equal(statusOf(new StorageError('ALREADY_EXISTS', 'x'), { ALREADY_EXISTS: 412 }), 412);
    assert.equal(statusOf(new Error('bug')), 500);
  });

  it('asks clients to retry on UNAVAILABLE', () => {
    const e = asDavError(new StorageError('UNAVAILABLE', 'down'));
    assert.equal(e.status, 503);
    assert.equal(e.headers['Retry-After'], '30');
  });

  it('keeps a full account and an unstorable name in a sabre-style DAV:error body', () => {
    const full = asDavError(new StorageError('QUOTA_EXCEEDED', 'upload /a: error 507: QuotaExceededException'));
    assert.equal(full.status, 507);
    assert.equal(full.exception, 'InsufficientStorage');
    assert.ok(!full.message.includes('QuotaExceededException'), 'no upstream exception name reaches the client');
    assert.equal(asDavError(new StorageError('NAME_TOO_LONG', 'x')).exception, 'NameTooLong');
  });
});

describe('dav: named DavError constructors', () => {
  it('carry the status, condition and headers of their name', () => {
    const cases: [DavError, number, Record<string, string>][] = [
      [DavError.badRequest('x'), 400, {}],
      [DavError.unauthorized('x', 'Basic realm="r"'), 401, { 'WWW-Authenticate': 'Basic realm="r"' }],
      [DavError.forbidden('x', 'propfind-finite-depth'), 403, {}],
      [DavError.notFound('x'), 404, {}],
      [DavError.methodNotAllowed('x'), 405, {}],
      [DavError.methodNotAllowed('x', 'GET, PUT'), 405, { Allow: 'GET, PUT' }],
      [DavError.conflict('x'), 409, {}],
      [DavError.preconditionFailed(), 412, {}],
      [DavError.payloadTooLarge('x'), 413, {}],
      [DavError.uriTooLong('x'), 414, {}],
      [DavError.unsupportedMediaType('x'), 415, {}],
      [DavError.locked('x', 'no-conflicting-lock', ['/a']), 423, {}],
      [DavError.tooManyRequests('x', 60), 429, { 'Retry-After': '60' }],
      [DavError.badGateway('x'), 502, {}],
      [DavError.serviceUnavailable('x', 1), 503, { 'Retry-After': '1' }],
    ];
    for (const [error, status, headers] of cases) {
      assert.equal(error.status, status, error.message);
      assert.deepEqual(error.headers, headers, String(status));
    }
    assert.equal(DavError.preconditionFailed().message, 'precondition failed');
    const locked = DavError.locked('x', 'lock-token-submitted', ['/a/', '/b']);
    assert.equal(locked.condition, 'lock-token-submitted');
    assert.deepEqual(locked.hrefs, ['/a/', '/b']);
    assert.equal(DavError.conflict('x', 'lock-token-matches-request-uri').condition, 'lock-token-matches-request-uri');
    assert.equal(DavError.badRequest('x').condition, undefined);
  });
});
