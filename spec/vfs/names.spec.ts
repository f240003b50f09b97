import assert from 'node:assert/strict';
import { JOTTACLOUD_DEFAULT_ENCODING } from '../../lib/util/encoding-flags.js';
import { NameCodec } from '../../lib/vfs/name-codec.js';
import { bytesToClientName, clientNameToBytes, hasInvalidUtf8, encodeHrefSegment, decodeHrefSegment } from '../../lib/vfs/names.js';
import { foldName, normalizeClientPath } from '../../lib/vfs/fold.js';

// The default list; name-codec.spec.ts takes every flag on its own.
const codec = NameCodec.of(JOTTACLOUD_DEFAULT_ENCODING);
const encodeName = (name: string): string => codec.encode(name);
const decodeName = (stored: string): string => codec.decode(stored);
const encodeNameBytes = (bytes: Uint8Array): string => codec.encode(bytesToClientName(bytes));
const decodeNameBytes = (stored: string): Buffer => clientNameToBytes(codec.decode(stored));

const Q = '\u201b';

/** [client name, remote name] pairs: rclone's documented examples and our hostile fixtures. */
const TABLE: Array<[string, string]> = [
  ['', ''],
  ['plain.txt', 'plain.txt'],
  ['file name.txt', 'file name.txt'],
  // rclone's documented examples
  ['a?b', 'a？b'],
  ['a？b', `a${Q}？b`],
  ['100%', '100％'],
  [`${Q}x`, `${Q}${Q}x`],
  ['.', '．'],
  ['..', '．．'],
  ['．', `${Q}．`],
  ['．．', `${Q}．${Q}．`],
  // the dot rule is whole-name only
  ['...', '...'],
  ['a.', 'a.'],
  ['.hidden', '.hidden'],
  ['a．b', 'a．b'],
  ['．．．', '．．．'],
  // every reserved ASCII character
  ['/', '／'],
  ['"', '＂'],
  ['*', '＊'],
  [':', '：'],
  ['<', '＜'],
  ['>', '＞'],
  ['|', '｜'],
  ['%', '％'],
  [':?*"<>|', '：？＊＂＜＞｜'],
  ['file % name.txt', 'file ％ name.txt'],
  ['%25', '％25'],
  // already-fullwidth forms are quoted
  ['／＂＊：＜＞？｜％', `${Q}／${Q}＂${Q}＊${Q}：${Q}＜${Q}＞${Q}？${Q}｜${Q}％`],
  // controls, NUL and DEL
  ['\u0000', '\u2400'],
  ['a\u0001b', 'a\u2401b'],
  ['tab\there', 'tab\u2409here'],
  ['nl\nx', 'nl\u240ax'],
  ['\u001f', '\u241f'],
  ['\u007f', '\u2421'],
  ['\u2400', `${Q}\u2400`],
  ['\u2401\u241f', `${Q}\u2401${Q}\u241f`],
  ['\u2421', `${Q}\u2421`],
  ['\u2420', '\u2420'], // SYMBOL FOR SPACE is not a replacement for jottacloud
  // left alone for jottacloud
  [' leading space', ' leading space'],
  ['trailing space ', 'trailing space '],
  ['trailing dot.', 'trailing dot.'],
  ['a\\b', 'a\\b'],
  ['＼＃', '＼＃'],
  ['#&+;\'!~@,=$', '#&+;\'!~@,=$'],
  ['a&b', 'a&b'],
  ['+', '+'],
  ['Hello, 世界', 'Hello, 世界'],
  ['ภาษาไทย', 'ภาษาไทย'],
  ['😀 emoji 🎉', '😀 emoji 🎉'],
  ['\ufffd', '\ufffd'], // a real U+FFFD is valid UTF-8
  ['ê é', 'ê é'],
  // rclone fstests names
  ['hello? sausage', 'hello？ sausage'],
  [' " \' @ < > & ? + ≠', ' ＂ \' @ ＜ ＞ & ？ + ≠'],
  // quote followed by hex digits in a client name must not read back as a byte
  [`caf${Q}E9`, `caf${Q}${Q}E9`],
  [`${Q}`, `${Q}${Q}`],
];

/** [raw bytes (hex), remote name]: invalid UTF-8 as ‛HH, uppercase. */
const BYTES: Array<[string, string]> = [
  ['636166e9', `caf${Q}E9`],
  ['ff', `${Q}FF`],
  ['80', `${Q}80`],
  ['c0af', `${Q}C0${Q}AF`], // overlong '/'
  ['eda080', `${Q}ED${Q}A0${Q}80`], // UTF-8 encoded surrogate
  ['f4908080', `${Q}F4${Q}90${Q}80${Q}80`], // above U+10FFFF
  ['e282', `${Q}E2${Q}82`], // truncated
  ['e282ac', '€'],
  ['41ff3f', `A${Q}FF？`],
];

describe('vfs names (rclone jottacloud encoding)', () => {
  for (const [client, remote] of TABLE) {
    it(`encodes ${JSON.stringify(client)} as ${JSON.stringify(remote)} and back`, () => {
      assert.equal(encodeName(client), remote);
      assert.equal(decodeName(remote), client);
    });
  }

  for (const [hex, remote] of BYTES) {
    it(`encodes bytes ${hex} as ${JSON.stringify(remote)} and back`, () => {
      const bytes = Buffer.from(hex, 'hex');
      assert.equal(encodeNameBytes(bytes), remote);
      assert.deepEqual(decodeNameBytes(remote), bytes);
      // The client sees the same name as a JS string (surrogate escapes), and it encodes the same.
      const clientName = decodeName(remote);
      assert.equal(encodeName(clientName), remote);
      assert.deepEqual(clientNameToBytes(clientName), bytes);
    });
  }

  it('shows invalid bytes to the client as lone surrogates U+DC80..U+DCFF', () => {
    const name = decodeName(`caf${Q}E9`);
    assert.equal(name, 'caf\udce9');
    assert.equal(hasInvalidUtf8(name), true);
    assert.equal(hasInvalidUtf8('café'), false);
    assert.equal(bytesToClientName(Buffer.from('636166e9', 'hex')), 'caf\udce9');
  });

  it('decodes lower-case hex and lone quotes the way rclone does', () => {
    assert.deepEqual(decodeNameBytes(`caf${Q}e9`), Buffer.from('636166e9', 'hex'));
    assert.equal(decodeName(`a${Q}zz`), `a${Q}zz`);
    assert.equal(decodeName(`end${Q}`), `end${Q}`);
    assert.equal(decodeName(`${Q}4`), `${Q}4`);
  });

  it('round-trips random names (property test, fixed seed)', () => {
    const alphabet = [
      'a', 'Z', '0', ' ', '.', '/', '"', '*', ':', '<', '>', '?', '|', '%', '\\', '#', '+', '&',
      '\u0000', '\u0001', '\u001f', '\u007f', Q, '\u2400', '\u2401', '\u2421', '．', '／', '？', '％', '＊',
      'é', 'e\u0301', '世', '😀', 'E', '9', '\ufffd', '\udce9', '\udc80',
    ];
    let seed = 0x1234567;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 5000; round++) {
      let name = '';
      const length = 1 + rand(12);
      for (let i = 0; i < length; i++) name += alphabet[rand(alphabet.length)];
      const remote = encodeName(name);
      assert.equal(decodeName(remote), name, `round ${round}: ${JSON.stringify(name)}`);
      // Nothing the server rejects survives encoding.
      assert.doesNotMatch(remote, /[\u0000-\u001f\u007f"*:<>?|%/]/);
      assert.ok(remote !== '.' && remote !== '..');
    }
  });

  it('round-trips random byte strings', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const bytes = Buffer.alloc(1 + rand(10));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand(4) === 0 ? 0x80 + rand(0x80) : rand(0x80);
      assert.deepEqual(decodeNameBytes(encodeNameBytes(bytes)), bytes, bytes.toString('hex'));
    }
  });

  it('folds case and Unicode normalisation', () => {
    assert.equal(foldName('Café'), foldName('CAFE\u0301'.replace('E\u0301', 'É')));
    assert.equal(foldName('cafe\u0301'), foldName('café'));
    assert.equal(normalizeClientPath('/A//b/'), '/A/b');
    assert.equal(normalizeClientPath('/cafe\u0301'), '/café');
  });
});

describe('vfs names: href segments for names with invalid UTF-8', () => {
  it('equal encodeURIComponent/decodeURIComponent for valid names', () => {
    for (const name of ['plain', 'a b&c', 'é', '😀', "()!*'~", '100%', 'a/b', '‛E9']) {
      assert.equal(encodeHrefSegment(name), encodeURIComponent(name));
      assert.equal(decodeHrefSegment(encodeURIComponent(name)), name);
    }
  });

  it('round-trip invalid bytes as %HH where encodeURIComponent would throw', () => {
    const name = decodeName(`caf${Q}E9 x`);
    assert.throws(() => encodeURIComponent(name), URIError);
    assert.equal(encodeHrefSegment(name), 'caf%E9%20x');
    assert.equal(decodeHrefSegment('caf%E9%20x'), name);
    assert.equal(decodeHrefSegment('caf%e9'), 'caf\udce9');
    assert.throws(() => decodeHrefSegment('bad%G1'), URIError);
    assert.throws(() => decodeHrefSegment('bad%'), URIError);
  });
});
