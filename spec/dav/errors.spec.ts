import assert from 'node:assert/strict';
import { STATUS_BY_CODE } from '../../lib/dav/index.js';
import { asDavError, statusOf } from '../../lib/dav/errors.js';
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
});
