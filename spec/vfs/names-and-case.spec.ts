import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { body, code, rig, text, type Rig } from './helpers.js';

const Q = '\u201b';

describe('BackendVfs: hostile names, case rules and limits', () => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig();
  });
  afterEach(() => r.close());

  describe('names on the wire', () => {
    it('stores reserved characters with rclone\'s encoding, and shows rclone-written names decoded', async () => {
      await r.vfs.write('/a?b:c*"<>|%.txt', body('x'));
      assert.deepEqual((await r.backend.list('/')).map((e) => e.name), ['a？b：c＊＂＜＞｜％.txt']);
      r.backend.seedFile('/hello？ sausage', 'rclone');
      r.backend.seedFile(`/already${Q}？fullwidth`, 'quoted');
      const names = (await r.vfs.list('/')).map((e) => e.name).sort();
      assert.deepEqual(names, ['a?b:c*"<>|%.txt', 'already？fullwidth', 'hello? sausage']);
      assert.equal(await text(await r.vfs.read('/hello? sausage')), 'rclone');
      assert.equal(await text(await r.vfs.read('/already？fullwidth')), 'quoted');
    });

    it('rclone\'s names "．"/"．．" (for "."/"..") are shown in their fullwidth form: no href may be a dot segment', async () => {
      await r.vfs.mkdir('/d');
      r.backend.seedFile('/d/．', 'dot');
      r.backend.seedFile('/d/．．', 'dotdot');
      assert.deepEqual((await r.vfs.list('/d')).map((e) => e.name).sort(), ['．', '．．']);
      assert.equal(await text(await r.vfs.read('/d/．')), 'dot');
      assert.equal(await text(await r.vfs.read('/d/．．')), 'dotdot');
      await r.vfs.write('/d/．．', body('replaced'));
      assert.deepEqual((await r.backend.list('/d')).map((e) => e.name).sort(), ['．', '．．']);
      assert.equal(await text(await r.backend.read('/d/．．')), 'replaced');
    });

    it('a remote name holding invalid UTF-8 (‛HH) is listed, read, renamed and deleted on its own', async () => {
      r.backend.seedFile(`/caf${Q}E9.txt`, 'latin1');
      const [entry] = await r.vfs.list('/');
      assert.equal(entry!.name, 'caf\udce9.txt');
      assert.equal(await text(await r.vfs.read(entry!.path)), 'latin1');
      await r.vfs.move(entry!.path, '/café.txt', { overwrite: false });
      assert.deepEqual((await r.backend.list('/')).map((e) => e.name), ['café.txt']);
      await r.vfs.move('/café.txt', '/caf\udce9.txt', { overwrite: false });
      assert.deepEqual((await r.backend.list('/')).map((e) => e.name), [`caf${Q}E9.txt`]);
      await r.vfs.remove('/caf\udce9.txt');
      assert.deepEqual(await r.vfs.list('/'), []);
    });

    it('Finder\'s NFD names are stored as NFC; an NFD name written by rclone is found by its NFC form', async () => {
      await r.vfs.write('/cafe\u0301.txt', body('nfd'));
      assert.deepEqual((await r.backend.list('/')).map((e) => e.name), ['caf\u00e9.txt']);
      r.backend.seedFile('/re\u0301sume\u0301.pdf', 'from rclone on macOS');
      assert.equal(await text(await r.vfs.read('/r\u00e9sum\u00e9.pdf')), 'from rclone on macOS');
      assert.ok((await r.vfs.list('/')).some((e) => e.name === 'r\u00e9sum\u00e9.pdf'));
      // Overwriting through the NFC name updates the NFD remote file, no second file appears.
      await r.vfs.write('/r\u00e9sum\u00e9.pdf', body('v2'));
      assert.equal((await r.backend.list('/')).length, 2);
    });
  });

  it('an NFC write into a folder that was never listed updates the NFD file rclone wrote there', async () => {
    r.backend.seedFile('/cold/re\u0301sume\u0301.pdf', 'v1');
    const result = await r.vfs.write('/cold/r\u00e9sum\u00e9.pdf', body('v2'));
    assert.equal(result.created, false);
    assert.deepEqual((await r.backend.list('/cold')).map((e) => e.name), ['re\u0301sume\u0301.pdf']);
    assert.equal(await text(await r.backend.read('/cold/re\u0301sume\u0301.pdf')), 'v2');
  });

  describe('case rules', () => {
    it('PUT in another case overwrites the existing file and keeps its name', async () => {
      await r.vfs.write('/Hello.doc', body('1'));
      const result = await r.vfs.write('/hello.doc', body('22'));
      assert.equal(result.created, false);
      assert.equal(result.entry.name, 'Hello.doc');
      assert.deepEqual((await r.backend.list('/')).map((e) => [e.name, e.size]), [['Hello.doc', 2]]);
    });

    it('MKCOL in another case is ALREADY_EXISTS; MOVE/COPY honour overwrite against the sibling', async () => {
      await r.vfs.mkdir('/Docs');
      await assert.rejects(r.vfs.mkdir('/docs'), code('ALREADY_EXISTS'));
      await r.vfs.write('/Target.txt', body('target'));
      await r.vfs.write('/source.txt', body('source'));
      await assert.rejects(r.vfs.move('/source.txt', '/TARGET.TXT', { overwrite: false }), code('ALREADY_EXISTS'));
      await assert.rejects(r.vfs.copy('/source.txt', '/target.txt', { overwrite: false }), code('ALREADY_EXISTS'));
      assert.deepEqual(await r.vfs.copy('/source.txt', '/target.txt', { overwrite: true }), { created: false });
      assert.equal(await text(await r.vfs.read('/Target.txt')), 'source');
      assert.equal((await r.backend.list('/')).filter((e) => e.name.toLowerCase() === 'target.txt').length, 1);
    });

    it('a case-only rename is one backend move (the backend owns case-only renames) and keeps the content', async () => {
      await r.vfs.write('/a.txt', body('a'));
      r.backend.resetCalls();
      await r.vfs.move('/a.txt', '/A.txt', { overwrite: false });
      assert.equal(r.backend.calls.move, 1);
      assert.deepEqual((await r.backend.list('/')).map((e) => e.name), ['A.txt']);
      assert.equal(await text(await r.vfs.read('/A.txt')), 'a');
    });

    it('two remote names that fold together both stay visible and are handled one by one', async () => {
      r.backend.seedFile('/Report.txt', 'upper');
      r.backend.seedFile('/report.txt', 'lower');
      assert.deepEqual((await r.vfs.list('/')).map((e) => e.name).sort(), ['Report.txt', 'report.txt']);
      assert.equal(await text(await r.vfs.read('/Report.txt')), 'upper');
      assert.equal(await text(await r.vfs.read('/report.txt')), 'lower');
      await r.vfs.move('/report.txt', '/lower.txt', { overwrite: false });
      assert.deepEqual((await r.vfs.list('/')).map((e) => e.name).sort(), ['Report.txt', 'lower.txt']);
      await r.vfs.remove('/Report.txt');
      assert.deepEqual((await r.vfs.list('/')).map((e) => e.name), ['lower.txt']);
    });

    it('two remote names that differ only in normalisation (NFC and NFD twins) each keep a name of their own', async () => {
      r.backend.seedFile('/fold/caf\u00e9.txt', 'composed');
      r.backend.seedFile('/fold/cafe\u0301.txt', 'decomposed');
      const names = (await r.vfs.list('/fold')).map((e) => e.name).sort();
      assert.deepEqual(names, ['caf\u00e9.txt', 'cafe\u0301.txt'].sort());
      assert.equal(await text(await r.vfs.read('/fold/caf\u00e9.txt')), 'composed');
      assert.equal(await text(await r.vfs.read('/fold/cafe\u0301.txt')), 'decomposed');
      await r.vfs.remove('/fold/cafe\u0301.txt');
      assert.deepEqual((await r.vfs.list('/fold')).map((e) => e.name), ['caf\u00e9.txt']);
      assert.equal(await text(await r.vfs.read('/fold/cafe\u0301.txt')), 'composed', 'alone, the NFC name answers to NFD too');
    });

    it('resourceKey is the folded canonical path', () => {
      assert.equal(r.vfs.resourceKey('/Docs/CAFE\u0301.txt'), r.vfs.resourceKey('/docs//caf\u00e9.TXT/'));
      assert.equal(r.vfs.caseInsensitive, true);
    });
  });

  describe('limits', () => {
    it('a name over 255 UTF-16 units after encoding is NAME_TOO_LONG, naming the limit; nothing is written', async () => {
      const ok = 'x'.repeat(255);
      await r.vfs.write(`/${ok}`, body('fits'));
      const cases = ['y'.repeat(256), '😀'.repeat(128), '\udce9'.repeat(86)];
      r.backend.resetCalls();
      for (const name of cases) {
        let consumed = false;
        const stream = new Readable({ read() { consumed = true; this.push(null); } });
        await assert.rejects(r.vfs.write(`/${name}`, stream), (e: unknown) => code('NAME_TOO_LONG')(e) && /255/.test((e as Error).message));
        assert.equal(consumed, false, 'the body was not read');
        await assert.rejects(r.vfs.mkdir(`/${name}`), code('NAME_TOO_LONG'));
        await assert.rejects(r.vfs.move(`/${ok}`, `/${name}`, { overwrite: false }), code('NAME_TOO_LONG'));
      }
      assert.equal(r.backend.calls.upload + r.backend.calls.mkdir + r.backend.calls.move, 0);
      assert.equal(await text(await r.vfs.read(`/${ok}`)), 'fits');
      assert.equal((await r.backend.list('/')).length, 1);
    });
  });
});
