import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { formatProblems, loadConfig, validateConfig, type ConfigProblem } from '../../lib/config/index.js';
import { HASH, Sandbox } from './fixtures.js';

function find(problems: ConfigProblem[], path: string): ConfigProblem {
  const found = problems.find((p) => p.path === path);
  assert.ok(found, `expected a problem at ${path}; got:\n${formatProblems(problems)}`);
  assert.ok(found.hint.length > 0, `${path} has a hint`);
  return found;
}

describe('config: validateConfig reports every problem at once, each with a hint', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = new Sandbox();
  });
  afterEach(() => box.remove());

  it('a config with many mistakes yields all of them in one pass', () => {
    box.token('ok.json');
    box.token('loose.json', 0o644);
    const file = box.file('config.json', {
      sever: { port: 1 },
      server: { port: 70000, host: '', basePath: 'dav', healthPath: '/a/../b', timeouts: { headers: 'soon', idel: '1m' }, tls: { cert: 'missing.pem' } },
      store: 'memroy',
      uploads: { md5MemoryLimit: '10 parsecs', uploadResumeLimit: -1 },
      hardDelete: 'maybe',
      localOnly: { patterns: ['ok', 3] },
      locks: { minTimeout: '2h', maxTimeout: '1h' },
      log: { level: 'verbose', format: 'xml' },
      accounts: {
        home: { tokenFile: 'ok.json', devise: 'Jotta', endpoints: { jfs: 'ftp://x', api: 'http://127.0.0.1:1/' } },
        loose: { tokenFile: 'loose.json', service: 'telia_no', mountPoint: 'Trash' },
        gone: { tokenFile: 'nope.json' },
        'bad name!': { tokenFile: 'ok.json' },
        empty: {},
      },
      users: [
        { name: 'alice', passwordHash: HASH, account: 'hme' },
        { name: 'alice', passwordHash: 'hunter2', account: 'home', root: '../etc' },
        { name: 'bo:b', passwordHash: HASH, account: 'home', readOnly: 'sure', colour: 'red' },
        { passwordHash: HASH },
        'carol',
      ],
    });
    const { problems } = loadConfig({ file, env: {}, services: ['jottacloud', 'telia_no', 'telia_se'] });
    const text = formatProblems(problems);

    assert.match(find(problems, 'sever').hint, /did you mean 'server'\?/);
    assert.match(find(problems, 'server.port').message, /0 to 65535, got 70000/);
    assert.match(find(problems, 'server.host').message, /non-empty string/);
    assert.match(find(problems, 'server.basePath').message, /starting with '\/'/);
    assert.match(find(problems, 'server.healthPath').message, /'\.\.'/);
    assert.match(find(problems, 'server.timeouts.headers').hint, /30s/);
    assert.match(find(problems, 'server.timeouts.idel').hint, /did you mean 'idle'\?/);
    assert.match(find(problems, 'server.tls.cert').message, /missing\.pem does not exist/);
    assert.match(find(problems, 'server.tls.key').message, /both a certificate and a key/);
    assert.match(find(problems, 'store').hint, /did you mean 'memory'\?/);
    assert.match(find(problems, 'uploads.md5MemoryLimit').hint, /10M/);
    assert.match(find(problems, 'uploads.uploadResumeLimit').message, /got -1/);
    assert.match(find(problems, 'hardDelete').message, /true or false/);
    assert.match(find(problems, 'localOnly.patterns').message, /list of non-empty strings/);
    assert.match(find(problems, 'locks.minTimeout').message, /longer than locks.maxTimeout/);
    assert.match(find(problems, 'log.level').hint, /debug, info, warn, error, silent|did you mean/);
    assert.match(find(problems, 'log.format').message, /json, pretty, auto/);
    assert.match(find(problems, 'accounts.home.devise').hint, /did you mean 'device'\?/);
    assert.match(find(problems, 'accounts.home.endpoints.jfs').message, /http\(s\) URL/);
    assert.equal(find(problems, 'accounts.loose.tokenFile').severity, 'warning');
    assert.match(find(problems, 'accounts.loose.tokenFile').hint, /chmod 600/);
    assert.equal(find(problems, 'accounts.loose.mountPoint').severity, 'warning');
    assert.match(find(problems, 'accounts.gone.tokenFile').hint, /jottadav login/);
    assert.match(find(problems, 'accounts.bad name!').message, /not allowed/);
    assert.match(find(problems, 'accounts.empty.tokenFile').message, /required/);
    assert.match(find(problems, 'users[0].account').hint, /did you mean 'home'\?/);
    assert.match(find(problems, 'users[1].name').message, /duplicate user 'alice'/);
    assert.match(find(problems, 'users[1].passwordHash').hint, /hash-password/);
    assert.match(find(problems, 'users[1].root').hint, /inside the account/);
    assert.match(find(problems, 'users[2].name').message, /colon/);
    assert.match(find(problems, 'users[2].readOnly').message, /true or false/);
    assert.match(find(problems, 'users[2].colour').message, /unknown field/);
    assert.match(find(problems, 'users[3].name').message, /required/);
    assert.match(find(problems, 'users[3].account').message, /several accounts/);
    assert.match(find(problems, 'users[4]').message, /must be an object/);
    // A pasted password is never echoed back.
    assert.doesNotMatch(text, /hunter2/);
    // Every problem names where its value (or its enclosing object) came from.
    assert.ok(problems.every((p) => p.source === `config file ${file}`), text);
  });

  it('an unknown service gets a did-you-mean from the services table', () => {
    box.token();
    const { problems } = validateConfig(
      { accounts: { a: { tokenFile: 'token.json', service: 'telia_so' } }, users: [{ name: 'u', passwordHash: HASH }] },
      { baseDir: box.dir, services: ['jottacloud', 'telia_no', 'telia_se'] },
    );
    assert.match(find(problems, 'accounts.a.service').hint, /did you mean 'telia_(se|no)'\?/);
  });

  it('nobody able to log in, no account, anonymous without account', () => {
    const { problems } = validateConfig({ anonymous: { enabled: true, readOnly: false } }, { baseDir: box.dir });
    assert.match(find(problems, 'accounts').message, /no account/);
    assert.match(find(problems, 'anonymous.account').message, /required/);
    assert.equal(find(problems, 'anonymous.readOnly').severity, 'warning');
    const none = validateConfig({ accounts: {} }, { baseDir: box.dir }).problems;
    assert.match(find(none, 'users').message, /no user can log in/);
  });

  it('a JSON syntax error names line and column, and env/flag problems are still reported', () => {
    const file = box.file('broken.json', '{\n  "server": {\n    "port": 80,\n  }\n}\n');
    const { problems } = loadConfig({ file, env: { JOTTADAV_LOG_LEVEL: 'loud' }, argv: ['--prot', '1'] });
    assert.match(find(problems, '(file)').message, /not valid JSON: .* at line 4, column 3/);
    assert.match(find(problems, 'log.level').source ?? '', /env JOTTADAV_LOG_LEVEL/);
    assert.match(find(problems, 'flags').hint, /did you mean '--port'\?/);
  });

  it('a missing config file is a problem with a hint, not a throw', () => {
    const { problems } = loadConfig({ file: join(box.dir, 'nope.json'), env: {} });
    assert.match(find(problems, '(file)').hint, /jottadav login/);
  });

  it('unknown JOTTADAV_ env vars are warnings with a did-you-mean', () => {
    const file = box.minimal();
    const { problems } = loadConfig({ file, env: { JOTTADAV_SEVER_PORT: '1' } });
    const p = find(problems, 'env');
    assert.equal(p.severity, 'warning');
    assert.match(p.hint, /JOTTADAV_SERVER_PORT/);
  });

  it('health path inside a non-root basePath is refused; outside it is fine', () => {
    const file = box.minimal({ server: { basePath: '/dav/', healthPath: '/dav/_health' } });
    const { problems, config } = loadConfig({ file, env: {} });
    assert.equal(config.server.basePath, '/dav', 'the trailing slash is dropped');
    assert.match(find(problems, 'server.healthPath').hint, /outside server.basePath/);
  });

  it('TLS: a matching pair passes; a key of another certificate and non-PEM files are reported', function () {
    const mk = (name: string, days: number) => {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(box.dir, `${name}.key`), '-out', join(box.dir, `${name}.pem`), '-days', String(days), '-subj', '/CN=localhost'], { stdio: 'ignore' });
    };
    mk('a', 30);
    mk('b', 30);
    const good = loadConfig({ file: box.minimal({ server: { tls: { cert: 'a.pem', key: 'a.key' } } }), env: {} });
    assert.deepEqual(good.problems, []);
    assert.equal(good.config.server.tls.cert, join(box.dir, 'a.pem'));
    const mismatch = loadConfig({ file: box.minimal({ server: { tls: { cert: 'a.pem', key: 'b.key' } } }), env: {} });
    assert.match(find(mismatch.problems, 'server.tls.key').message, /does not belong to the certificate/);
    const notPem = loadConfig({ file: box.minimal({ server: { tls: { cert: 'token.json', key: 'token.json' } } }), env: {} });
    assert.match(find(notPem.problems, 'server.tls.cert').message, /not a PEM certificate/);
    assert.match(find(notPem.problems, 'server.tls.key').message, /not an unencrypted PEM private key/);
  });

  it('a token file that is not JSON is an error that does not quote its content', () => {
    box.file('token.json', 'eyJsecretsecretsecret');
    const { problems } = loadConfig({ file: box.file('c.json', { accounts: { a: { tokenFile: 'token.json' } }, users: [{ name: 'u', passwordHash: HASH }] }), env: {} });
    const p = find(problems, 'accounts.a.tokenFile');
    assert.match(p.message, /not a jottadav token file/);
    assert.doesNotMatch(formatProblems(problems), /secret/);
  });
});

describe('config: the remaining validation messages', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = new Sandbox();
  });
  afterEach(() => box.remove());

  it('ranges and relations between options, all in one pass', () => {
    box.token();
    box.file('not-a-dir', 'x');
    const file = box.file('c.json', {
      server: { timeouts: { headers: 0, request: '1s' }, healthPath: null },
      anonymous: { enabled: true, account: 'nope', root: 'relative' },
      locks: { defaultTimeout: '2d', minTimeout: '500ms' },
      uploads: { md5MemoryLimit: '2G', spoolDir: 'missing-dir' },
      dataDir: 'not-a-dir',
      accounts: { home: { tokenFile: 'token.json', endpoints: 'http://x', allDevices: 'all' }, other: { tokenFile: '.' } },
      users: [{ name: 'u', passwordHash: HASH, account: 'home', root: '/a%2Fb' }],
    });
    const { problems, config } = loadConfig({ file, env: {} });
    assert.equal(config.server.healthPath, null, 'null turns the health endpoint off');
    assert.match(find(problems, 'server.timeouts.headers').message, /greater than 0/);
    assert.match(find(problems, 'anonymous.account').hint, /did you mean|home|other/);
    assert.match(find(problems, 'anonymous.root').message, /starting with '\/'/);
    assert.match(find(problems, 'locks.minTimeout').message, /at least 1s/);
    assert.match(find(problems, 'locks.defaultTimeout').message, /outside locks.minTimeout..locks.maxTimeout/);
    assert.equal(find(problems, 'uploads.md5MemoryLimit').severity, 'warning');
    assert.match(find(problems, 'uploads.spoolDir').hint, /mkdir -p/);
    assert.match(find(problems, 'dataDir').message, /is not a directory/);
    assert.match(find(problems, 'accounts.home.endpoints').hint, /jfs, api, www, wellKnown/);
    assert.match(find(problems, 'accounts.home.allDevices').message, /true or false/);
    assert.match(find(problems, 'accounts.other.tokenFile').message, /is not a regular file/);
    assert.match(find(problems, 'users[0].root').message, /encoded slashes/);
  });

  it('request timeout shorter than the headers timeout; wrong shapes for accounts and users', () => {
    const { problems } = validateConfig({ server: { timeouts: { headers: '1m', request: '10s' } }, accounts: ['a'], users: { name: 'u' } }, { baseDir: box.dir, checkFiles: false });
    assert.match(find(problems, 'server.timeouts.request').hint, /0 \(unlimited\)/);
    assert.match(find(problems, 'accounts').message, /object of named accounts/);
    assert.match(find(problems, 'users').message, /list of users/);
  });

  it('env JSON that does not parse, and flag mistakes, each reported', () => {
    const file = box.minimal();
    const { problems } = loadConfig({
      file,
      env: { JOTTADAV_USERS: '[{name: alice}]', JOTTADAV_ACCOUNTS: '{' },
      argv: ['--hard-delete=yes', '--port', 'stray', '--log-level'],
    });
    const text = formatProblems(problems);
    assert.match(text, /error: users \(env JOTTADAV_USERS\): JOTTADAV_USERS is not valid JSON/);
    assert.match(text, /error: accounts \(env JOTTADAV_ACCOUNTS\): JOTTADAV_ACCOUNTS is not valid JSON/);
    assert.match(text, /flag --hard-delete takes no value\n  hint: use --hard-delete or --no-hard-delete/);
    assert.match(text, /unexpected argument 'stray'|must be an integer from 0 to 65535, got "stray"/);
    assert.match(text, /flag --log-level needs a value/);
  });

  it('a token file with mode 0000: unreadable for an ordinary user, readable (and private) for root', function () {
    if (process.getuid?.() === 0) {
      // root reads any file: the EACCES branch is unreachable here, so prove the mode check instead.
      box.token('t.json', 0o000);
      const { problems } = validateConfig({ accounts: { a: { tokenFile: 't.json' } }, users: [{ name: 'u', passwordHash: HASH }] }, { baseDir: box.dir });
      assert.deepEqual(problems, [], 'mode 0000 has no group/other bits: no warning, and root can read it');
      return;
    }
    box.token('t.json', 0o000);
    const { problems } = validateConfig({ accounts: { a: { tokenFile: 't.json' } }, users: [{ name: 'u', passwordHash: HASH }] }, { baseDir: box.dir });
    assert.match(find(problems, 'accounts.a.tokenFile').message, /not readable by this user/);
  });
});
