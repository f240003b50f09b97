import assert from 'node:assert/strict';
import { isStorageError } from '../../lib/storage/errors.js';
import { ENCODING_FLAGS, ENCODING_WORDS, JOTTACLOUD_DEFAULT_ENCODING, parseEncoding } from '../../lib/util/encoding-flags.js';
import { NameCodec } from '../../lib/vfs/name-codec.js';
import { RCLONE_ENCODING_TABLE } from '../support/rclone-encoding-table.js';

const Q = '\u201b';

describe('vfs name codec: every rclone encoding flag', () => {
  it('the table covers every word rclone accepts', () => {
    assert.deepEqual(Object.keys(RCLONE_ENCODING_TABLE).sort(), [...ENCODING_WORDS].sort());
  });

  for (const [flag, cases] of Object.entries(RCLONE_ENCODING_TABLE)) {
    const codec = NameCodec.of(flag);
    for (const c of cases) {
      it(`${flag}: stores ${JSON.stringify(c.name)} as ${JSON.stringify(c.stored)} and reads it back`, () => {
        assert.equal(codec.encode(c.name), c.stored);
        assert.equal(codec.decode(c.stored), c.name);
      });
    }
  }

  it('without its flag, a character is stored as it is', () => {
    const none = NameCodec.of('None');
    for (const [flag, cases] of Object.entries(RCLONE_ENCODING_TABLE)) {
      if (flag === 'None' || flag === 'Raw' || flag === 'InvalidUtf8' || flag === 'Slash') continue;
      for (const c of cases.filter((k) => !k.name.includes('\u0000'))) {
        // A look-alike the set does not produce is not marked either.
        assert.equal(none.encode(c.name), c.name, `${flag} off: ${JSON.stringify(c.name)}`);
        assert.equal(none.decode(c.name), c.name);
      }
    }
  });

  it('refuses what the set cannot store: invalid UTF-8 without InvalidUtf8, a slash without Slash', () => {
    for (const [encoding, name] of [['None', 'caf\udce9'], ['Raw', 'caf\udce9'], ['Colon', 'a/b'], ['Raw', 'a/b']] as const) {
      assert.throws(() => NameCodec.of(encoding).encode(name), (e: unknown) => isStorageError(e, 'INVALID_NAME'), `${encoding}: ${JSON.stringify(name)}`);
    }
  });

  it('Raw only when alone: Raw with another flag encodes that flag (and NUL)', () => {
    assert.equal(NameCodec.of('Raw').encode('a\u0000*'), 'a\u0000*');
    assert.equal(NameCodec.of('Raw,Asterisk').encode('a\u0000*'), 'a␀＊');
    assert.equal(NameCodec.of('Raw,None').encode('a\u0000*'), 'a\u0000*');
  });

  it("the default list is rclone's jottacloud default and maps the combined names", () => {
    const codec = NameCodec.of(JOTTACLOUD_DEFAULT_ENCODING);
    assert.equal(codec.toString(), JOTTACLOUD_DEFAULT_ENCODING);
    assert.equal(codec.encode(':?*"<>|%/'), '：？＊＂＜＞｜％／');
    assert.equal(codec.encode(' trailing. '), ' trailing. ');
    assert.equal(codec.encode('#;!$[]~\\'), '#;!$[]~\\');
  });

  it('storedPath: each segment in NFC, then encoded, as the vfs stores what it writes', () => {
    const codec = NameCodec.of(JOTTACLOUD_DEFAULT_ENCODING);
    assert.equal(codec.storedPath(['dir:1', 'cafe\u0301?.txt']), '/dir\uff1a1/caf\u00e9\uff1f.txt');
    assert.equal(codec.storedPath(['a\uff1ab']), `/a${Q}\uff1ab`);
    assert.equal(codec.storedPath([]), '/');
  });

  it('edge flags together: only the first and last character change', () => {
    const codec = NameCodec.of('LeftSpace,RightSpace,LeftPeriod,RightPeriod');
    for (const [name, stored] of [
      [' ', '␠'],
      ['  ', '␠␠'],
      [' . ', '␠.␠'],
      ['. .', '． ．'],
      ['␠', `${Q}␠`],
      ['␠␠', `${Q}␠${Q}␠`],
    ]) {
      assert.equal(codec.encode(name!), stored, JSON.stringify(name));
      assert.equal(codec.decode(stored!), name);
    }
  });

  it('reads a trailing look-alike after a literal quote back as written (where rclone would not)', () => {
    const codec = NameCodec.of('RightSpace');
    assert.equal(codec.encode(`a${Q} `), `a${Q}${Q}␠`);
    assert.equal(codec.decode(`a${Q}${Q}␠`), `a${Q} `);
    assert.equal(codec.decode(`a${Q}␠`), 'a␠');
  });

  it('round-trips random names under random flag sets (property test, fixed seed)', () => {
    const alphabet = [
      'a', 'Z', '0', 'E', '9', ' ', '.', '~', '/', '"', '*', ':', '<', '>', '?', '|', '%', '\\', '#', '$', "'", '`', '[', ']', ';', '!',
      '\u0000', '\u0001', '\t', '\n', '\u000b', '\r', '\u001f', '\u007f', Q, '␀', '␁', '␉', '␊', '␍', '␠', '␡',
      '．', '～', '／', '？', '％', '＊', '＃', '［', 'é', '世', '😀', '\ufffd', '\udce9', '\udc80',
    ];
    let seed = 0x5eed;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let set = 0; set < 200; set++) {
      const flags = ENCODING_FLAGS.filter((f) => f !== 'Raw' && rand(3) === 0);
      if (!flags.includes('Slash')) flags.push('Slash');
      if (!flags.includes('InvalidUtf8')) flags.push('InvalidUtf8');
      const codec = NameCodec.of(flags.join(','));
      for (let round = 0; round < 200; round++) {
        let name = '';
        const length = 1 + rand(8);
        for (let i = 0; i < length; i++) name += alphabet[rand(alphabet.length)];
        const stored = codec.encode(name);
        assert.equal(codec.decode(stored), name, `${codec}: ${JSON.stringify(name)} stored as ${JSON.stringify(stored)}`);
      }
    }
  });
});

describe('encoding list syntax (rclone)', () => {
  it('reads words, None and numbers; refuses unknown words and an empty list', () => {
    const flags = (text: string) => {
      const parsed = parseEncoding(text);
      return parsed.ok ? [...parsed.flags].sort() : parsed.unknown;
    };
    assert.deepEqual(flags(' Slash , Dot '), ['Dot', 'Slash']);
    assert.deepEqual(flags('None'), []);
    assert.deepEqual(flags('0x2'), ['Slash']);
    assert.deepEqual(flags('6'), ['LtGt', 'Slash']);
    assert.deepEqual(flags('Colom,Dot,slash'), ['Colom', 'slash']);
    assert.deepEqual(flags(''), ['']);
    assert.deepEqual(flags(String(2 ** ENCODING_FLAGS.length)), [String(2 ** ENCODING_FLAGS.length)]);
  });
});
