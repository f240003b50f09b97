/**
 * The logger's redaction: secrets fed in every position (message text, fields, nested objects,
 * arrays, headers, URLs, errors and their causes, JSON bodies, form bodies) must not appear in
 * the output, in either format. The secrets are distinct random strings, so a leak of any one
 * is found by a plain substring search.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createLogger, errorFields, type LogFormat } from '../../lib/util/logger.js';
import { redact, redactString } from '../../lib/util/redact.js';

function sink(isTTY = false) {
  const lines: string[] = [];
  return { lines, write: (s: string) => lines.push(s), isTTY, text: () => lines.join('') };
}

const hex = (n = 12) => randomBytes(n).toString('hex');
const b64url = (obj: unknown) => Buffer.from(JSON.stringify(obj)).toString('base64url');

function secrets() {
  const jwt = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: `f:1:${hex()}` })}.${hex(16)}`;
  const refresh = `${b64url({ alg: 'HS256' })}.${b64url({ typ: 'Offline', n: hex() })}.${hex(16)}`;
  const loginToken = b64url({ username: hex(), realm: 'jottacloud', well_known_link: 'http://127.0.0.1:1/.well-known', auth_token: hex() });
  const password = `pw-${hex()}`;
  const basic = Buffer.from(`alice:${password}`).toString('base64');
  const authToken = `at${hex()}`;
  const hash = `scrypt$16384$8$1$${hex()}$${hex(24)}`;
  return { jwt, refresh, loginToken, password, basic, authToken, hash, opaque: `opaque${hex()}` };
}

describe('logger: secret redaction', () => {
  for (const format of ['json', 'pretty'] as LogFormat[]) {
    it(`no secret appears in ${format} output, whatever position it is logged in`, () => {
      const s = secrets();
      const out = sink(format === 'pretty');
      const log = createLogger({ format, level: 'debug', sink: out }).child({ component: 'spec', accessToken: s.opaque });
      const cause = new Error(`token endpoint said refresh_token=${s.refresh}`);
      const error = Object.assign(new Error(`exchange failed for ${s.loginToken}`, { cause }), { password: s.password, code: 'EAUTH' });
      const headers = new Headers({ Authorization: `Bearer ${s.jwt}`, 'X-Other': 'visible-header' });

      log.info(`Authorization: Basic ${s.basic}`);
      log.info(`got Bearer ${s.jwt} from the store`);
      log.debug('message is plain', {
        password: s.password,
        passwordHash: s.hash,
        refresh_token: s.refresh,
        access_token: s.jwt,
        loginToken: s.loginToken,
        auth_token: s.authToken,
        headers: { authorization: `Basic ${s.basic}`, cookie: `sid=${s.opaque}`, 'user-agent': 'visible-agent' },
        fetchHeaders: headers,
        nested: [{ deeper: { token: s.opaque, list: [s.jwt, `text with ${s.loginToken} inside`] } }],
        url: `http://alice:${s.password}@127.0.0.1:8080/dav/?access_token=${s.opaque}&x=visible-param`,
        urlObject: new URL(`http://127.0.0.1/cb?refresh_token=${s.opaque}&state=visible-state`),
        body: `client_id=jottacli&grant_type=password&password=${s.authToken}&scope=openid+offline_access&username=visible-user`,
        json: JSON.stringify({ access_token: s.jwt, refresh_token: s.refresh, token_type: 'bearer', expires_in: 3600 }),
        spaced: `{"password": "${s.password} with spaces"}`,
        map: new Map([['Authorization', `Bearer ${s.opaque}`]]),
        loose: `login token: ${s.loginToken}`,
      });
      log.warn('refresh failed', errorFields(error));
      log.error('raw error object', { error });
      log.request({ method: 'PUT', path: '/a.txt', status: 201, bytes: 5, durationMs: 3.21, user: 'alice', authorization: `Basic ${s.basic}` });

      const text = out.text();
      for (const [name, secret] of Object.entries(s)) assert.ok(!text.includes(secret), `${name} leaked in ${format} output:\n${text}`);
      // Partial leaks: the JWT's payload or signature alone, the base64 credentials' tail.
      assert.ok(!text.includes(s.jwt.split('.')[1] as string), 'JWT payload leaked');
      assert.ok(!text.includes(s.password.slice(3)), 'password body leaked');
      // Redaction does not eat the ordinary information around the secrets.
      for (const visible of ['visible-header', 'visible-agent', 'visible-param', 'visible-state', 'visible-user', 'EAUTH', 'jottacli', 'PUT', '/a.txt', 'alice']) {
        assert.ok(text.includes(visible), `${visible} missing from output:\n${text}`);
      }
      assert.ok(text.includes('[REDACTED]'));
    });
  }

  it('json format: one parseable object per line with time, level, msg', () => {
    const out = sink();
    const log = createLogger({ format: 'json', level: 'info', sink: out, now: () => new Date('2026-01-02T03:04:05.678Z') });
    log.info('hello', { n: 1 });
    log.request({ method: 'GET', path: '/x', status: 404, durationMs: 1.234, bytes: 0 });
    log.request({ method: 'GET', path: '/y', status: 503, durationMs: 2 });
    const lines = out.lines.map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { time: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'hello', n: 1 });
    assert.deepEqual(lines[1], { time: '2026-01-02T03:04:05.678Z', level: 'info', msg: 'request', method: 'GET', path: '/x', status: 404, bytes: 0, durationMs: 1.2 });
    assert.equal(lines[2].level, 'error');
    assert.ok(out.lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  });

  it('pretty format reads like an access log; auto picks pretty on a TTY and json otherwise', () => {
    const tty = sink(true);
    createLogger({ format: 'auto', level: 'info', sink: tty, color: false }).request({ method: 'PROPFIND', path: '/Photos', status: 207, bytes: 1234, durationMs: 12.3, user: 'bob' });
    assert.match(tty.text(), /^\d\d:\d\d:\d\d\.\d{3} INFO  PROPFIND \/Photos 207 1234B 12\.3ms bob\n$/);
    const pipe = sink(false);
    createLogger({ format: 'auto', level: 'info', sink: pipe }).info('x');
    assert.equal(JSON.parse(pipe.text()).msg, 'x');
  });

  it('levels filter, silent drops everything, and a throwing sink does not throw into the caller', () => {
    const out = sink();
    const log = createLogger({ format: 'json', level: 'warn', sink: out });
    log.debug('no');
    log.info('no');
    log.warn('yes');
    log.error('yes');
    assert.equal(out.lines.length, 2);
    assert.equal(log.enabled('info'), false);
    const silent = sink();
    createLogger({ level: 'silent', format: 'json', sink: silent }).error('x');
    assert.equal(silent.lines.length, 0);
    const broken = createLogger({ format: 'json', level: 'info', sink: { write: () => { throw new Error('EPIPE'); } } });
    assert.doesNotThrow(() => broken.error('still fine'));
  });

  it('survives cycles, BigInt, Buffers and getters that throw', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const evil = Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('nope'); } });
    const out = sink();
    createLogger({ format: 'json', level: 'info', sink: out }).info('odd', { a, n: 10n, buf: Buffer.from('secret-bytes'), evil });
    const line = JSON.parse(out.text());
    assert.equal(line.a.self, '[Circular]');
    assert.equal(line.n, '10');
    assert.equal(line.buf, '[12 bytes]');
    assert.ok(!out.text().includes('secret-bytes'));
  });

  it('prose that merely mentions auth schemes is left alone', () => {
    assert.equal(redactString('Basic authentication over plain HTTP'), 'Basic authentication over plain HTTP');
    assert.equal(redactString('tokenFile=/etc/jottadav/token.json'), 'tokenFile=/etc/jottadav/token.json');
    assert.deepEqual(redact({ tokenFile: '/x', token_type: 'bearer', expires_in: 3600 }), { tokenFile: '/x', token_type: 'bearer', expires_in: 3600 });
  });
});
