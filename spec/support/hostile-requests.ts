/**
 * A seeded generator of hostile HTTP requests, as raw bytes: the same seed gives the same
 * requests, so a failure found by the bench replays in the spec. Each request is drawn from one of
 * the families below (bad percent-encoding, odd methods, broken XML, bad If/Depth/Destination/
 * Overwrite/Timeout/Range headers, absurd Content-Length, oversized paths and headers, broken
 * framing, bad credentials), mixed with well-formed operations on a sandbox so that the state
 * changes the hostile ones meet are real.
 *
 * What may come back: any 1xx-4xx; 502 only for a Destination on another host (`foreignDestination`);
 * no answer only when the request's own body was cut short (`mayGoUnanswered`).
 */
import { seededRandom } from '../../lib/util/seeded-random.js';

export interface HostileRequest {
  family: string;
  raw: Buffer;
  foreignDestination?: boolean;
  mayGoUnanswered?: boolean;
  /** Wrong or malformed credentials: counted as a failed login. */
  badCredentials?: boolean;
}

export interface HostileContext {
  /** Basic credentials of a user who may write, and of one who may only read. */
  writer: string;
  reader: string;
}

const METHODS = ['GET', 'HEAD', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'OPTIONS'];
const SANDBOX = '/hostile';

class Draw {
  constructor(private readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  text(alphabet: string, max: number): string {
    let out = '';
    for (let n = 1 + this.int(max); n > 0; n--) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

const NAME_CHARS = 'abcXYZ019 -_.~()!$&+,;=:@éß€%#?';

function goodName(d: Draw): string {
  // Half the names come from a small set, so that what one request creates the next one meets.
  if (d.chance(0.5)) return d.pick(['a', 'b', 'c.txt', 'd%20e', 'f']);
  return encodeURIComponent(d.text('abcdefxyz0123._- ', 8).replace(/^\.+$/, 'dot'));
}

function sandboxPath(d: Draw): string {
  const depth = d.int(3);
  let path = SANDBOX;
  if (d.chance(0.1)) return `${path}/a/`;
  for (let i = 0; i <= depth; i++) path += `/${goodName(d)}`;
  return d.chance(0.2) ? `${path}/` : path;
}

function badPath(d: Draw): string {
  switch (d.int(12)) {
    case 0:
      return `${SANDBOX}/${d.pick(['%', '%E0%A4%A', '%ZZ', 'a%', '%G1', '%00', 'a%2Fb', '%%32%35', '%C0%AF', '%ED%A0%80', '%FF%FE'])}${goodName(d)}`;
    case 1:
      return d.pick(['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', `${SANDBOX}/%2E%2E/%2E%2E/b`, '/./x', '/a/..', '/..%2F..%2Fetc', '/%2E%2E%2F']);
    case 2:
      return `/${'a'.repeat(d.pick([8_200, 20_000, 32_000]))}`;
    case 3:
      return `${SANDBOX}${'/d'.repeat(d.pick([255, 257, 1_000, 3_000]))}`;
    case 4:
      return `/${d.pick(['a-', 'a.', '_', 'a=', 'eyJ', 'Bearer%20a'])}`.repeat(1 + d.int(1_500));
    case 5:
      return d.pick(['*', 'http://evil.example/x', 'http://127.0.0.1/hostile/x', 'https://[::1', '//x/y', 'x', '']);
    case 6:
      return `${SANDBOX}/${encodeURI(d.text(NAME_CHARS, 20)).replace(/%25/g, '%')}`;
    case 7:
      return `${SANDBOX}/${'n'.repeat(250 + d.int(20))}`;
    case 8:
      return `${SANDBOX}/${goodName(d)}?x=${d.text('ab=&%', 30)}`;
    case 9:
      return `${SANDBOX}/a#frag`;
    case 10:
      return `${SANDBOX}/${d.pick(['%7F', '%1B[31m', '%E2%80%AE', '%EF%BB%BF', '%F4%90%80%80', '%F0%9F%98%80'])}`;
    default:
      return sandboxPath(d);
  }
}

const DAV = 'xmlns:D="DAV:"';
const VALID_XML = [
  `<?xml version="1.0"?><D:propfind ${DAV}><D:allprop/></D:propfind>`,
  `<?xml version="1.0"?><D:propfind ${DAV}><D:prop><D:getetag/><D:lockdiscovery/><D:quota-used-bytes/></D:prop></D:propfind>`,
  `<?xml version="1.0"?><D:propfind ${DAV}><D:propname/></D:propfind>`,
  `<?xml version="1.0"?><D:propertyupdate ${DAV}><D:set><D:prop><z:a xmlns:z="urn:z">1</z:a></D:prop></D:set><D:remove><D:prop><z:b xmlns:z="urn:z"/></D:prop></D:remove></D:propertyupdate>`,
  `<?xml version="1.0"?><D:lockinfo ${DAV}><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>o</D:owner></D:lockinfo>`,
  `<?xml version="1.0"?><D:lockinfo ${DAV}><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>`,
];

function badXml(d: Draw): string {
  const base = d.pick(VALID_XML);
  switch (d.int(14)) {
    case 0:
      return base.slice(0, d.int(base.length));
    case 1: {
      const at = d.int(base.length);
      return base.slice(0, at) + d.text('<>&/"\'=:!?[]-\u0000\uFFFF', 6) + base.slice(at);
    }
    case 2:
      return '<'.repeat(d.pick([1_000, 100_000, 250_000]));
    case 3:
      return `<D:propfind ${DAV}>${'<D:x>'.repeat(d.pick([65, 500, 40_000]))}`;
    case 4:
      return `<D:propfind ${DAV}><D:prop>${'<D:x/>'.repeat(d.pick([9_000, 12_000]))}</D:prop></D:propfind>`;
    case 5:
      return `<D:propfind ${DAV}><D:prop><D:x ${Array.from({ length: d.pick([10, 70, 3_000]) }, (_, i) => `a${i}="v"`).join(' ')}/></D:prop></D:propfind>`;
    case 6:
      return `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "${'a'.repeat(10)}"><!ENTITY b "&a;&a;&a;&a;">]><D:propfind ${DAV}><D:prop>&b;</D:prop></D:propfind>`;
    case 7:
      return `<D:propfind ${DAV}><D:prop>${d.pick(['&unknown;', '&#0;', '&#xD800;', '&', '&#x110000;', '&#99999999999;'])}</D:prop></D:propfind>`;
    case 8:
      return `<D:propfind ${DAV}><D:prop><q:x/></D:prop></D:propfind>`;
    case 9:
      return `<D:propfind ${DAV}><D:prop>${'&lt;'.repeat(50_000)}</D:prop></D:propfind>`;
    case 10:
      return `<D:propfind ${DAV}><!--${'-'.repeat(d.pick([10, 100_000]))}`;
    case 11:
      return `<a/><b/>`;
    case 12:
      return `<D:propertyupdate ${DAV}><D:set><D:prop><z:a xmlns:z="urn:z">${'<z:b>'.repeat(62)}x${'</z:b>'.repeat(62)}</z:a></D:prop></D:set><D:set><D:prop><D:getetag>x</D:getetag></D:prop></D:set></D:propertyupdate>`;
    default:
      return base;
  }
}

function ifHeader(d: Draw): string {
  const tokens = ['<urn:uuid:00000000-0000-0000-0000-000000000000>', '<DAV:no-lock>', '["etag"]', '[W/"w"]', 'Not', '<>', '(', ')', '<http://127.0.0.1/hostile/x>', '<http://evil.example/x>', '<%ZZ>', 'garbage'];
  switch (d.int(4)) {
    case 0:
      return `(${Array.from({ length: d.pick([1, 3, 3_000]) }, () => d.pick(tokens)).join(' ')})`;
    case 1:
      return Array.from({ length: 1 + d.int(6) }, () => d.pick([...tokens, '(', ')', ' '])).join('');
    case 2:
      return `<http://127.0.0.1${sandboxPath(d)}> (${d.pick(tokens)})`;
    default:
      return d.text('()<>[]"W/ Not urn:uuid:-0', 40);
  }
}

function weirdHeaders(d: Draw, method: string, headers: Record<string, string>): void {
  if (d.chance(0.3)) headers.Depth = d.pick(['0', '1', 'infinity', '2', '-1', 'infinite', '', 'one', '1,1', '0 ']);
  if (d.chance(0.25)) headers.If = ifHeader(d);
  if (d.chance(0.2)) headers.Overwrite = d.pick(['T', 'F', 't', 'maybe', '', 'TT']);
  if (d.chance(0.2)) headers.Timeout = d.pick(['Second-60', 'Infinite', 'Second-', 'Second--5', 'Second-99999999999999999', 'Minute-5', ',', 'Second-1e5, Infinite']);
  if (d.chance(0.2)) headers.Range = d.pick(['bytes=0-0', 'bytes=5-2', 'bytes=-0', 'bytes=99999999999999-', 'bytes=0-1,2-3', 'bytes=abc', 'pages=1', 'bytes=--1', `bytes=${'0-1,'.repeat(2_000)}0-1`]);
  if (d.chance(0.15)) headers['If-Match'] = d.pick(['*', '"x"', 'W/"x"', 'garbage', '']);
  if (d.chance(0.15)) headers['If-None-Match'] = d.pick(['*', '"x"', 'garbage']);
  if (d.chance(0.1)) headers['If-Modified-Since'] = d.pick(['Mon, 01 Jan 1990 00:00:00 GMT', 'yesterday', '']);
  if (d.chance(0.1)) headers['Lock-Token'] = d.pick(['<urn:uuid:nope>', 'urn:uuid:nope', '<>', '', '<'.repeat(100)]);
  if (d.chance(0.1)) headers['X-OC-Mtime'] = d.pick(['1700000000', 'tomorrow', '-1', '1e10', '99999999999999']);
  if (d.chance(0.05)) headers['Content-Range'] = 'bytes 0-1/2';
  if (d.chance(0.05)) headers.Expect = d.pick(['100-continue', 'something-else']);
  if (method === 'COPY' || method === 'MOVE' || d.chance(0.05)) headers.Destination = destination(d);
}

function destination(d: Draw): string {
  return d.pick([
    `http://127.0.0.1${sandboxPath(d)}`,
    sandboxPath(d),
    'http://evil.example/x',
    'https://other.example:8443/hostile/x',
    'ftp://127.0.0.1/x',
    'http://[::1',
    '/%ZZ',
    '/../../etc/passwd',
    'relative/path',
    'javascript:alert(1)',
    '',
    `/${'d/'.repeat(300)}`,
    `http://127.0.0.1/${'a'.repeat(9_000)}`,
  ]);
}

/** A Destination on another server: another host, or a scheme other than HTTP's. */
function isForeign(value: string | undefined): boolean {
  if (value === undefined || value.startsWith('/')) return false;
  try {
    const url = new URL(value);
    return url.host !== '127.0.0.1' || (url.protocol !== 'http:' && url.protocol !== 'https:');
  } catch {
    return false;
  }
}

function serialise(method: string, target: string, headers: Record<string, string>, body: string | Buffer): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push('Connection: close');
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}

/** One hostile (or, now and then, ordinary) request. */
function hostileRequest(d: Draw, ctx: HostileContext): HostileRequest {
  const family = d.pick(['path', 'method', 'xml', 'headers', 'length', 'framing', 'auth', 'ordinary', 'headers', 'xml', 'path']);
  const headers: Record<string, string> = {};
  const auth = d.int(20);
  if (auth < 16) headers.Authorization = ctx.writer;
  else if (auth < 18) headers.Authorization = ctx.reader;
  const badCredentials = auth === 18;
  if (badCredentials) headers.Authorization = d.pick(['Basic', 'Basic ====', 'Basic %%%', 'Digest username="a"', `Basic ${'A'.repeat(6_000)}`, 'Bearer x', `Basic ${Buffer.from('alice:wrong').toString('base64')}`]);
  let method = d.pick(METHODS);
  let target = sandboxPath(d);
  let body: string | Buffer = '';
  let mayGoUnanswered = false;

  switch (family) {
    case 'path':
      target = badPath(d);
      break;
    case 'method':
      method = d.pick(['POST', 'PATCH', 'SEARCH', 'REPORT', 'TRACE', 'CONNECT', 'get', 'Propfind', 'M-SEARCH', 'BIND', 'ACL', 'X'.repeat(300), 'GET\u0000', 'PROP FIND', 'constructor', 'toString', '__proto__', 'hasOwnProperty']);
      break;
    case 'xml':
      method = d.pick(['PROPFIND', 'PROPPATCH', 'LOCK', 'MKCOL', 'UNLOCK']);
      body = badXml(d);
      if (d.chance(0.2)) headers['Content-Type'] = d.pick(['application/xml', 'text/xml; charset=latin1', 'application/json', '']);
      break;
    case 'length': {
      const length = d.pick(['4294967297', '99999999999999', '9007199254740993', String(256 * 1024 + 1), '1e9', '-1', '12abc', '0x10', ' ', '1, 2', '00000000000000000001']);
      headers['Content-Length'] = length;
      // The body promised never comes: the client stops writing, so the server may answer or just see it go.
      mayGoUnanswered = true;
      break;
    }
    case 'framing':
      return { family, raw: framing(d, ctx), mayGoUnanswered: true };
    case 'ordinary':
      if (method === 'PUT') body = d.text('content ', 200);
      if (method === 'PROPFIND' || method === 'PROPPATCH' || method === 'LOCK') body = d.pick(VALID_XML);
      if (method === 'COPY' || method === 'MOVE') headers.Destination = `http://127.0.0.1${sandboxPath(d)}`;
      break;
    default:
      break;
  }
  if (family !== 'ordinary') weirdHeaders(d, method, headers);
  if (headers['Content-Length'] === undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  return {
    family,
    raw: serialise(method, target, headers, body),
    ...(isForeign(headers.Destination) && (method === 'COPY' || method === 'MOVE') ? { foreignDestination: true } : {}),
    ...(mayGoUnanswered ? { mayGoUnanswered } : {}),
    ...(badCredentials ? { badCredentials } : {}),
  };
}

/** Requests broken at the HTTP layer itself. */
function framing(d: Draw, ctx: HostileContext): Buffer {
  const auth = `Authorization: ${ctx.writer}\r\n`;
  const raw = d.pick([
    'HELLO\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
    `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(60_000)}\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 1_000 }, (_, i) => `X-H${i}: ${'b'.repeat(55)}\r\n`).join('')}\r\n`,
    `PUT ${SANDBOX}/c.txt HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
    `PUT ${SANDBOX}/c.txt HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
    `PUT ${SANDBOX}/c.txt HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    `PROPFIND / HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n${(256 * 1024 + 1).toString(16)}\r\n${'a'.repeat(256 * 1024 + 1)}\r\n0\r\n\r\n`,
    `GET / HTTP/1.0\r\n\r\n`,
    `GET / HTTP/2.0\r\nHost: x\r\n\r\n`,
    `GET /\r\n\r\n`,
    `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n`,
    `GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n`,
    `GET / HTTP/1.1\r\n Host: folded\r\n\r\n`,
    `PUT ${SANDBOX}/short.txt HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nX-Expected-Entity-Length: 100\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    `\r\n\r\n\r\n`,
    `GET /${'%'.repeat(2_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  ]);
  return Buffer.from(raw, 'latin1');
}

/** `count` requests for `seed`, in order. */
export function hostileRequests(seed: number, count: number, ctx: HostileContext): HostileRequest[] {
  const d = new Draw(seededRandom(seed));
  return Array.from({ length: count }, () => hostileRequest(d, ctx));
}

/** The sandbox the ordinary requests work in; create it (MKCOL) before sending. */
export const HOSTILE_SANDBOX = SANDBOX;
