/**
 * One small test per wire quirk, each on a trimmed sample of what the service sends (what the
 * samples mean: docs/jottacloud-protocol.md).
 */
import assert from 'node:assert/strict';
import { escapeSegment, jfsUrl, withQuery, absoluteJfsPath, allocatePath, publicLink, resolveEndpoints, DEFAULT_ENDPOINTS } from '../../lib/jottacloud/endpoints.js';
import { decodeHttpError, exceptionName } from '../../lib/jottacloud/errors.js';
import { decodeLoginToken, encodeLoginToken } from '../../lib/jottacloud/login-token.js';
import { formatJottaTime, formatRfc3339, parseJottaTime } from '../../lib/jottacloud/time.js';
import { parseDevice, parseJfsDocument, parseUser, parseXmlError } from '../../lib/jottacloud/xml.js';
import { SERVICES, findService, wellKnownUrl } from '../../lib/jottacloud/services.js';
import { storageCodeOf } from '../../lib/jottacloud/backend-errors.js';
import { JottaAuthError, JottaHttpError, JottaNetworkError } from '../../lib/jottacloud/errors.js';

describe('jottacloud wire format', () => {
  describe('time formats', () => {
    it('parses JottaTime with Z and with a colon-less offset', () => {
      assert.equal(parseJottaTime('2024-03-07-T09:15:42Z')?.toISOString(), '2024-03-07T09:15:42.000Z');
      assert.equal(parseJottaTime('2024-03-07-T10:15:42+0100')?.toISOString(), '2024-03-07T09:15:42.000Z');
      assert.equal(parseJottaTime('2024-03-07-T04:15:42-0500')?.toISOString(), '2024-03-07T09:15:42.000Z');
    });
    it('parses RFC 3339 with milliseconds and colon offsets (liststream)', () => {
      assert.equal(parseJottaTime('2024-03-07T09:15:42.000Z')?.toISOString(), '2024-03-07T09:15:42.000Z');
      assert.equal(parseJottaTime('2024-03-07T10:15:42+01:00')?.toISOString(), '2024-03-07T09:15:42.000Z');
    });
    it('empty or garbage is undefined, never Invalid Date', () => {
      assert.equal(parseJottaTime(''), undefined);
      assert.equal(parseJottaTime('  '), undefined);
      assert.equal(parseJottaTime(undefined), undefined);
      assert.equal(parseJottaTime('yesterday'), undefined);
    });
    it('formats JottaTime (the - before T) and RFC 3339 in whole UTC seconds', () => {
      const d = new Date('2024-01-10T08:00:00.987Z');
      assert.equal(formatJottaTime(d), '2024-01-10-T08:00:00Z');
      assert.equal(formatRfc3339(d), '2024-01-10T08:00:00Z');
    });
  });

  describe('XML decoding', () => {
    it('an empty <modified> and an empty <size> on a mount point decode to undefined (rclone types_test)', () => {
      const device = parseDevice(`<?xml version="1.0" encoding="UTF-8"?>
<device time="2024-03-07-T09:20:02Z" host="dn-102">
  <name xml:space="preserve">Jotta</name><type>JOTTA</type><size>1073741824</size>
  <mountPoints>
    <mountPoint><name xml:space="preserve">Archive</name><size>1073741824</size><modified>2024-03-07-T09:18:44Z</modified></mountPoint>
    <mountPoint><name xml:space="preserve">Trash</name><size></size><modified></modified></mountPoint>
  </mountPoints>
  <metadata first="" max="" total="2" num_mountpoints="2"/>
</device>`);
      assert.equal(device.name, 'Jotta');
      assert.deepEqual(device.mountPoints.map((m) => m.name), ['Archive', 'Trash']);
      assert.equal(device.mountPoints[1]!.size, undefined);
      assert.equal(device.mountPoints[1]!.modified, undefined);
      assert.equal(device.mountPoints[0]!.modified?.toISOString(), '2024-03-07T09:18:44.000Z');
    });

    it('a folder listing keeps tombstones, incomplete files, names with spaces and entities', () => {
      const doc = parseJfsDocument(`<?xml version="1.0" encoding="UTF-8"?>
<folder name="Reports" time="2024-03-07-T09:30:11Z" host="dn-098">
  <path xml:space="preserve">/u/Jotta/Archive</path>
  <folders>
    <folder name=" &quot; ' @ ＜ ＞ &amp; ？ + ≠"/>
    <folder name="Old notes" deleted="2024-02-01-T12:00:05Z"><abspath xml:space="preserve">/u/Jotta/Archive/Reports</abspath></folder>
  </folders>
  <files>
    <file name="q4 summary.pdf" uuid="6e1f"><currentRevision><number>3</number><state>COMPLETED</state><created>2024-01-10-T08:00:00Z</created><modified>2024-01-12-T16:45:10Z</modified><mime>application/pdf</mime><size>482113</size><md5>9F86D081884C7D659A2FEAA0C55AD015</md5><updated>2024-01-12-T16:45:13Z</updated></currentRevision></file>
    <file name="upload-in-progress.bin" uuid="a4d8"><latestRevision><number>1</number><state>INCOMPLETE</state><md5>e3b98a4da31a127d4bde6e43033f66ba</md5></latestRevision></file>
  </files>
  <metadata first="" max="" total="4" num_folders="2" num_files="2"/>
</folder>`);
      assert.equal(doc.kind, 'folder');
      if (doc.kind !== 'folder') return;
      assert.equal(doc.folder.name, 'Reports');
      assert.deepEqual(doc.folder.folders.map((f) => [f.name, f.deleted]), [[' " \' @ ＜ ＞ & ？ + ≠', false], ['Old notes', true]]);
      const [done, pending] = doc.folder.files;
      assert.equal(done!.currentRevision?.md5, '9f86d081884c7d659a2feaa0c55ad015', 'md5 is lowercased');
      assert.equal(done!.currentRevision?.size, 482113);
      assert.equal(pending!.currentRevision, undefined);
      assert.equal(pending!.latestRevision?.state, 'INCOMPLETE');
    });

    it('a single child is still a list (wrapper with one element)', () => {
      const doc = parseJfsDocument('<mountPoint><name xml:space="preserve">Archive</name><folders><folder name="1e3"/></folders></mountPoint>');
      assert.equal(doc.kind, 'folder');
      if (doc.kind === 'folder') {
        assert.equal(doc.folder.root, 'mountPoint');
        assert.equal(doc.folder.name, 'Archive');
        assert.deepEqual(doc.folder.folders.map((f) => f.name), ['1e3'], 'numeric-looking names stay strings');
        assert.deepEqual(doc.folder.files, []);
      }
    });

    it('folder dates: a subfolder\'s <modified> is read when present (rclone reads it), empty is none; a mount point has one', () => {
      const doc = parseJfsDocument(
        '<mountPoint><name xml:space="preserve">Archive</name><modified>2024-03-07-T09:18:44Z</modified>' +
          '<folders><folder name="dated"><modified>2024-01-02-T03:04:05Z</modified></folder><folder name="plain"/><folder name="empty"><modified></modified></folder></folders></mountPoint>',
      );
      assert.equal(doc.kind, 'folder');
      if (doc.kind === 'folder') {
        assert.equal(doc.folder.modified?.toISOString(), '2024-03-07T09:18:44.000Z');
        assert.deepEqual(doc.folder.folders.map((f) => f.modified?.toISOString()), ['2024-01-02T03:04:05.000Z', undefined, undefined]);
      }
    });

    it('a file document lists its older revisions, newest first, with their own numbers', () => {
      const doc = parseJfsDocument(
        '<file name="q.pdf"><currentRevision><number>3</number><state>COMPLETED</state><size>9</size></currentRevision>' +
          '<revisions><revision><number>2</number><state>COMPLETED</state><size>8</size><md5>AB</md5></revision><revision><number>1</number><state>INCOMPLETE</state></revision></revisions></file>',
      );
      assert.equal(doc.kind, 'file');
      if (doc.kind === 'file') {
        assert.deepEqual(doc.file.revisions.map((r) => [r.number, r.state, r.size, r.md5]), [[2, 'COMPLETED', 8, 'ab'], [1, 'INCOMPLETE', undefined, undefined]]);
      }
    });

    it('a trashed file document carries deleted and its public URI', () => {
      const doc = parseJfsDocument('<file name="a" deleted="2024-02-20-T18:03:27Z"><publicURI>5c1e8d2b</publicURI><currentRevision><state>COMPLETED</state><size></size></currentRevision></file>');
      assert.equal(doc.kind, 'file');
      if (doc.kind === 'file') {
        assert.equal(doc.file.deleted, true);
        assert.equal(doc.file.deletedAt?.toISOString(), '2024-02-20T18:03:27.000Z');
        assert.equal(doc.file.publicURI, '5c1e8d2b');
        assert.equal(doc.file.currentRevision?.size, undefined, 'empty number is unknown, not 0');
      }
    });

    it('the user document: capacity -1, usage, devices', () => {
      const user = parseUser('<user><username>u1</username><capacity>-1</capacity><usage>1073741824</usage><write-locked>false</write-locked><devices><device><name xml:space="preserve">Jotta</name><type>JOTTA</type></device></devices></user>');
      assert.equal(user.capacity, -1);
      assert.equal(user.usage, 1073741824);
      assert.equal(user.writeLocked, false);
      assert.deepEqual(user.devices.map((d) => d.name), ['Jotta']);
    });

    it('the XML error body', () => {
      const e = parseXmlError('<?xml version="1.0" encoding="UTF-8"?><error><code>404</code><message>no.jotta.backup.errors.NoSuchFileException: File /u/Jotta/Archive/x.txt does not exist</message><reason>Not Found</reason><cause></cause><hostname>dn-131</hostname><x-id>284615930471</x-id></error>');
      assert.equal(e?.code, 404);
      assert.equal(e?.reason, 'Not Found');
      assert.equal(e?.cause, undefined);
      assert.equal(exceptionName(e?.message), 'NoSuchFileException');
      assert.equal(parseXmlError('400 Bad request'), undefined);
    });

    it('malformed XML is a protocol error, not a crash', () => {
      assert.throws(() => parseJfsDocument('<folder><files>'), /XML/);
    });
  });

  describe('errors → StorageError codes', () => {
    const code = (status: number, body: string) => storageCodeOf(decodeHttpError(status, 'x', body, parseXmlError(body)));
    const xml = (status: number, message: string) => `<error><code>${status}</code><message>${message}</message><reason>r</reason></error>`;
    it('maps the known statuses and messages', () => {
      assert.equal(code(404, xml(404, 'no.jotta.backup.errors.NoSuchPathException: Directory /u/x')), 'NOT_FOUND');
      assert.equal(code(400, xml(400, 'no.jotta.backup.errors.InvalidArgumentException: JFS file names may not be longer than 255 characters')), 'NAME_TOO_LONG');
      assert.equal(code(400, '400 Bad request'), 'INVALID_NAME');
      assert.equal(code(401, xml(401, 'org.springframework.security.authentication.BadCredentialsException: Bad credentials')), 'AUTH_EXPIRED');
      assert.equal(code(403, ''), 'PERMISSION_DENIED');
      assert.equal(code(416, xml(416, 'RequestedRangeNotSatisfiedException')), 'INVALID_ARGUMENT');
      assert.equal(code(503, ''), 'UNAVAILABLE');
      assert.equal(code(429, ''), 'UNAVAILABLE');
      assert.equal(code(420, '{"code":420,"message":"m","error_id":"IncompleteUploadOpenApiException"}'), 'UNAVAILABLE');
      assert.equal(code(409, '{"code":409,"message":"m","error_id":"UniqueFileException"}'), 'ALREADY_EXISTS');
      assert.equal(code(507, ''), 'QUOTA_EXCEEDED');
      assert.equal(storageCodeOf(new JottaAuthError(400, 'invalid_grant', 'Stale token')), 'AUTH_EXPIRED');
      assert.equal(storageCodeOf(new JottaNetworkError('reset')), 'UNAVAILABLE');
    });
    it('the JSON API error carries error_id as the exception', () => {
      const e = decodeHttpError(420, 'x', '{"code":420,"message":"m","cause":"c","error_id":"IncompleteUploadOpenApiException","x-id":"9"}', undefined);
      assert.ok(e instanceof JottaHttpError);
      assert.equal(e.exception, 'IncompleteUploadOpenApiException');
      assert.equal(e.xId, '9');
    });
  });

  describe('login token', () => {
    const sample =
      'eyJ1c2VybmFtZSI6IjNrcTh6MWxtZDBjN3cydnBhOXhlNHRmaCIsInJlYWxtIjoiam90dGFjbG91ZCIsIndlbGxfa25vd25fbGluayI6Imh0dHBzOi8vaWQuam90dGFjbG91ZC5jb20vYXV0aC9yZWFsbXMvam90dGFjbG91ZC8ud2VsbC1rbm93bi9vcGVuaWQtY29uZmlndXJhdGlvbiIsImF1dGhfdG9rZW4iOiJ2TjNROHIyTGJZMHNUNndFMWNLOW1KNGhaN3BBNXhEIn0';
    it('decodes the document sample', () => {
      const t = decodeLoginToken(sample);
      assert.equal(t.username, '3kq8z1lmd0c7w2vpa9xe4tfh');
      assert.equal(t.auth_token, 'vN3Q8r2LbY0sT6wE1cK9mJ4hZ7pA5xD');
      assert.equal(t.well_known_link, 'https://id.jottacloud.com/auth/realms/jottacloud/.well-known/openid-configuration');
    });
    it('is lenient: whitespace, line breaks, padding, the standard alphabet', () => {
      const token = { username: 'u?>', realm: 'r', well_known_link: 'http://127.0.0.1:1/x', auth_token: 'a~~~?' };
      const url = encodeLoginToken(token);
      const std = Buffer.from(JSON.stringify(token)).toString('base64');
      assert.ok(/[+/]/.test(std) && std.endsWith('='), 'the fixture exercises + / and =');
      assert.deepEqual(decodeLoginToken(std), token);
      assert.deepEqual(decodeLoginToken(`  ${url.slice(0, 10)}\n${url.slice(10)}==\n`), token);
    });
    it('rejects garbage with a clear error', () => {
      assert.throws(() => decodeLoginToken(''), /empty/);
      assert.throws(() => decodeLoginToken('not*base64'), /base64/);
      assert.throws(() => decodeLoginToken(Buffer.from('{"username":"u"}').toString('base64url')), /missing "well_known_link"/);
      assert.throws(() => decodeLoginToken(Buffer.from('[1,').toString('base64url')), /JSON/);
    });
  });

  describe('paths and escaping', () => {
    it('never sends a raw + # ? % in a path, and escapes !\'()* too', () => {
      for (const name of ['notepad++.exe', 'a#b', 'a?b', '100%', "it's (1)!*", 'a b', 'hello？ sausage', 'a&b=c;d']) {
        const escaped = escapeSegment(name);
        assert.doesNotMatch(escaped, /[+#?!'()* /&=;]/, name);
        assert.doesNotMatch(escaped.replace(/%[0-9A-F]{2}/g, ''), /%/, name);
        assert.equal(decodeURIComponent(escaped), name);
      }
      assert.equal(escapeSegment('notepad++.exe'), 'notepad%2B%2B.exe');
      assert.equal(escapeSegment('？'), '%EF%BC%9F');
    });
    it('the three layouts: URL, absolute JFS path, allocate path', () => {
      assert.equal(jfsUrl('https://jfs.jottacloud.com/jfs/', ['u', 'Jotta', 'Archive', 'q4 summary.pdf']), 'https://jfs.jottacloud.com/jfs/u/Jotta/Archive/q4%20summary.pdf');
      assert.equal(absoluteJfsPath('u', 'Jotta', 'Archive', ['a b', 'c+d']), '/u/Jotta/Archive/a b/c+d');
      assert.equal(allocatePath('Jotta', 'Archive', ['Reports', 'q4 summary.pdf']), '/jfs/Jotta/Archive/Reports/q4 summary.pdf');
    });
    it('query values are form-encoded with sorted keys', () => {
      assert.equal(withQuery('x', { mv: '/u/Jotta/Archive/a b+c#d' }), 'x?mv=%2Fu%2FJotta%2FArchive%2Fa+b%2Bc%23d');
      assert.equal(withQuery('x', { b: '1', a: '2' }), 'x?a=2&b=1');
    });
    it('real endpoints by default; each overridable; public link from the www base', () => {
      assert.deepEqual(resolveEndpoints(), { ...DEFAULT_ENDPOINTS });
      assert.equal(DEFAULT_ENDPOINTS.jfs, 'https://jfs.jottacloud.com/jfs/');
      assert.equal(DEFAULT_ENDPOINTS.api, 'https://api.jottacloud.com/');
      assert.equal(resolveEndpoints({ jfs: 'http://127.0.0.1:9/jfs' }).jfs, 'http://127.0.0.1:9/jfs/');
      assert.throws(() => resolveEndpoints({ api: 'ftp://x' }), /not http/);
      assert.equal(publicLink(DEFAULT_ENDPOINTS.www, 'u1', 'abc'), 'https://www.jottacloud.com/opin/io/downloadPublic/u1/abc');
    });
  });

  describe('white-label services', () => {
    it('has the table with identity hosts and per-service clients/scopes', () => {
      assert.equal(SERVICES.length, 13);
      assert.equal(findService('telia_no')?.domain, 'sky-auth.telia.no');
      assert.equal(findService('telia_se')?.realm, 'telia_se');
      assert.equal(findService('tele2')?.realm, 'comhem');
      assert.equal(findService('elkjop')?.domain, 'cloud.elkjop.no');
      assert.equal(findService('mediamarkt')?.domain, 'mediamarkt.jottacloud.com');
      assert.equal(findService('onlime')?.realm, 'onlime_wl');
      assert.equal(findService('phonero')?.clientId, 'desktop-win');
      assert.deepEqual(findService('phonero')?.scopes, ['openid', 'offline_access']);
      assert.equal(wellKnownUrl(findService('jottacloud')!), 'https://id.jottacloud.com/auth/realms/jottacloud/.well-known/openid-configuration');
    });
  });
});
