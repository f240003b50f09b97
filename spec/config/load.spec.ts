import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FLAG_OPTIONS, loadConfig, OPTIONS, envNameOf } from '../../lib/config/index.js';
import { parseArgs } from 'node:util';
import { HASH, Sandbox } from './fixtures.js';

describe('config: loadConfig', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = new Sandbox();
  });
  afterEach(() => box.remove());

  it('fills every option with its default from a minimal file, without problems', () => {
    const file = box.minimal();
    const { config, problems, file: read } = loadConfig({ file, env: {} });
    assert.deepEqual(problems, []);
    assert.equal(read, file);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.basePath, '/');
    assert.equal(config.server.healthPath, '/_health');
    assert.deepEqual(config.server.tls, { cert: null, key: null });
    assert.equal(config.uploads.md5MemoryLimit, 10 * 1024 * 1024);
    assert.equal(config.uploads.spoolDir, tmpdir());
    assert.deepEqual(config.localOnly.patterns, ['._*', '.DS_Store', 'Thumbs.db', 'desktop.ini', '~$*', '.~lock.*#']);
    assert.equal(config.localOnly.enabled, true);
    assert.equal(config.cache.listingTtl, 30_000);
    assert.equal(config.locks.defaultTimeout, 3_600_000);
    assert.equal(config.hardDelete, false);
    assert.equal(config.trashedOnly, false);
    assert.equal(config.anonymous.enabled, false);
    assert.equal(config.log.format, 'auto');
    assert.equal(config.store, 'file');
    // Relative paths are taken from the config file's folder, not the cwd.
    assert.equal(config.dataDir, join(box.dir, '.jottadav'));
    assert.deepEqual(config.accounts.home, {
      tokenFile: join(box.dir, 'token.json'),
      service: 'jottacloud',
      device: 'Jotta',
      mountPoint: 'Archive',
      allDevices: false,
      endpoints: { jfs: null, api: null, www: null, wellKnown: null },
    });
    assert.deepEqual(config.users, [{ name: 'alice', passwordHash: HASH, account: 'home', root: '/', readOnly: false }]);
  });

  it('takes units: sizes in binary multiples, durations in ms/s/m/h', () => {
    const file = box.minimal({ uploads: { md5MemoryLimit: '1M' }, cache: { listingTtl: '1m30s', quotaTtl: 250, memory: 2048 } });
    const { config, problems } = loadConfig({ file, env: {} });
    assert.deepEqual(problems, []);
    assert.equal(config.uploads.md5MemoryLimit, 1024 * 1024);
    assert.equal(config.cache.memory, 2048);
    assert.equal(config.cache.listingTtl, 90_000);
    assert.equal(config.cache.quotaTtl, 250);
  });

  it('env overrides the file: JOTTADAV_SERVER_PORT, JOTTADAV_STORE, lists, booleans, JSON users', () => {
    const file = box.minimal({ server: { port: 9000, host: '127.0.0.2' } });
    const { config, problems, sources } = loadConfig({
      file,
      env: {
        JOTTADAV_SERVER_PORT: '9100',
        JOTTADAV_STORE: 'redis://127.0.0.1:6379/2',
        JOTTADAV_LOCAL_ONLY_PATTERNS: '.DS_Store, *.tmp',
        JOTTADAV_HARD_DELETE: 'yes',
        JOTTADAV_UPLOADS_MD5_MEMORY_LIMIT: '4M',
        JOTTADAV_USERS: JSON.stringify([{ name: 'bob', passwordHash: HASH, readOnly: true }]),
        PATH: '/usr/bin',
      },
    });
    assert.deepEqual(problems, []);
    assert.equal(config.server.port, 9100);
    assert.equal(config.server.host, '127.0.0.2', 'the file still provides what env does not override');
    assert.equal(config.store, 'redis://127.0.0.1:6379/2');
    assert.deepEqual(config.localOnly.patterns, ['.DS_Store', '*.tmp']);
    assert.equal(config.hardDelete, true);
    assert.equal(config.uploads.md5MemoryLimit, 4 * 1024 * 1024);
    assert.deepEqual(config.users.map((u) => [u.name, u.readOnly, u.account]), [['bob', true, 'home']]);
    assert.equal(sources.get('server.port'), 'env JOTTADAV_SERVER_PORT');
    assert.equal(sources.get('server.host'), `config file ${file}`);
  });

  it('flags override env and the file; --no-X turns a boolean off; --config names the file', () => {
    const file = box.minimal({ hardDelete: true });
    const { config, problems, sources } = loadConfig({
      argv: ['--config', file, '--port', '9200', '--host=0.0.0.0', '--no-hard-delete', '--log-level', 'debug', '--uploads-md5-memory-limit', '64K'],
      env: { JOTTADAV_SERVER_PORT: '9100', JOTTADAV_LOG_LEVEL: 'warn' },
    });
    assert.equal(config.server.port, 9200);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.hardDelete, false);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.uploads.md5MemoryLimit, 65536);
    assert.equal(sources.get('server.port'), 'flag --port');
    // Listening on 0.0.0.0 without TLS while users exist: the clear-text warning, nothing else.
    assert.deepEqual(problems.map((p) => [p.severity, p.path]), [['warning', 'server.host']]);
  });

  it('accepts flags already parsed by a command with CONFIG_FLAG_OPTIONS merged into its own', () => {
    const file = box.minimal();
    const { values } = parseArgs({ args: ['--port', '7000', '--info-file', 'x'], options: { ...CONFIG_FLAG_OPTIONS, 'info-file': { type: 'string' } } });
    const { config, problems } = loadConfig({ file, env: {}, flags: values });
    assert.deepEqual(problems, []);
    assert.equal(config.server.port, 7000);
  });

  it('finds the file through JOTTADAV_CONFIG', () => {
    const file = box.minimal({ server: { port: 1234 } });
    const { config, file: read } = loadConfig({ env: { JOTTADAV_CONFIG: file } });
    assert.equal(read, file);
    assert.equal(config.server.port, 1234);
  });

  it('every option has a distinct env var and flag', () => {
    const envs = OPTIONS.map((o) => envNameOf(o.path));
    assert.equal(new Set(envs).size, envs.length);
    assert.ok(envs.includes('JOTTADAV_SERVER_PORT') && envs.includes('JOTTADAV_STORE') && envs.includes('JOTTADAV_UPLOADS_MD5_MEMORY_LIMIT'));
    // The ignored options have no default to set; check-config's spec reaches them by env.
    for (const o of OPTIONS.filter((option) => !option.ignored)) {
      // Each option must be reachable by env: set it to its own default and expect no problem.
      const file = box.minimal();
      const raw = Array.isArray(o.default) ? (o.default as string[]).join(',') : o.default === null ? 'null' : String(o.default);
      const { problems } = loadConfig({ file, env: { [envNameOf(o.path)]: raw }, checkFiles: false });
      assert.deepEqual(problems.filter((p) => p.severity === 'error'), [], `${o.path} via ${envNameOf(o.path)}=${raw}`);
    }
  });
});

describe('config: lookups for composers', () => {
  it('storeSpecOf maps the store option to createStore()’s shape; accountOf picks the only or the named account', async () => {
    const { storeSpecOf, accountOf, validateConfig } = await import('../../lib/config/index.js');
    const base = { accounts: { a: { tokenFile: '/t/a' }, b: { tokenFile: '/t/b' } }, users: [{ name: 'u', passwordHash: HASH, account: 'a' }] };
    const mem = validateConfig({ ...base, store: 'memory' }, { checkFiles: false, baseDir: '/srv' }).config;
    assert.deepEqual(storeSpecOf(mem), { kind: 'memory' });
    const file = validateConfig({ ...base, dataDir: 'state' }, { checkFiles: false, baseDir: '/srv' }).config;
    assert.deepEqual(storeSpecOf(file), { kind: 'file', dir: '/srv/state' });
    const redis = validateConfig({ ...base, store: 'redis://127.0.0.1:6379/1' }, { checkFiles: false }).config;
    assert.deepEqual(storeSpecOf(redis), { kind: 'redis', url: 'redis://127.0.0.1:6379/1' });
    assert.equal(accountOf(mem, 'b').account.tokenFile, '/t/b');
    assert.throws(() => accountOf(mem), /several accounts \(a, b\); choose one with --account NAME/);
    assert.throws(() => accountOf(mem, 'c'), /no account 'c' in the config \(accounts: a, b\)/);
  });
});
