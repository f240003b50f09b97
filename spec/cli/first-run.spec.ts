/**
 * What a new user meets first, run as they run it: the built CLI as a child process. The
 * version, help that lists every option with its default (from the option registry, in the
 * README's groups), a busy port explained in one line, the demo's logging flags, one log format
 * per run, an address a client can dial, and the commands the README shows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describeDefault, envNameOf, flagNameOf, OPTIONS } from '../../lib/config/options.js';
import { optionGroups } from '../../lib/config/groups.js';
import { startEmulator, type Emulator } from '../../lib/emulator/index.js';
import { basic, raw, servedUrl, startChild, type Child } from '../ops/support.js';
import { writeServeConfig } from '../support/stack.js';
import { runCli } from './run-cli.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SUBCOMMANDS = ['demo', 'emulator', 'serve', 'login', 'hash-password', 'check-config', 'about', 'cleanup', 'link'];

/** Every line of a run's output parsed as JSON; fails naming the first line that is not. */
function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line: ${l}\n--- whole output ---\n${text}`);
      }
    });
}

/** `jottadav NAME --help`, run once per subcommand however many specs read it. */
const helps = new Map<string, ReturnType<typeof runCli>>();
function helpOf(name: string): ReturnType<typeof runCli> {
  let help = helps.get(name);
  if (!help) {
    help = runCli([name, '--help'], { timeoutMs: 60_000 });
    helps.set(name, help);
  }
  return help;
}

/** A port something else listens on for the duration of `body`. */
async function withBusyPort<T>(body: (port: number) => Promise<T>): Promise<T> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    return await body((blocker.address() as net.AddressInfo).port);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
}

describe('cli: the first run', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jottadav-first-run-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const flags = ['--version', '-v'];
    const results = await Promise.all(flags.map((flag) => runCli([flag])));
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), `jottadav ${version}`);
    }
  });

  it('every subcommand answers --help with exit 0', async () => {
    // The processes start side by side: each is judged on its own output.
    const results = await Promise.all(SUBCOMMANDS.map(helpOf));
    for (const [i, name] of SUBCOMMANDS.entries()) {
      const result = results[i] as Awaited<ReturnType<typeof runCli>>;
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`^Usage: jottadav ${name}`), name);
    }
  });

  it('serve and check-config --help list every option with its default and env var, grouped in the README table\'s order', async () => {
    const headings = optionGroups().map((g) => g.heading);
    // The README table has the same groups, in the same order.
    const readmeHeadings = [...README.matchAll(/^\| \*\*([^*]+)\*\* \|/gm)].map((m) => m[1]);
    assert.deepEqual(readmeHeadings.slice(0, headings.length), headings);
    for (const name of ['serve', 'check-config']) {
      const { stdout } = await helpOf(name);
      const at = headings.map((h) => stdout.indexOf(`\n${h}:\n`));
      assert.ok(at.every((i) => i >= 0), `${name}: every group heading shows`);
      assert.deepEqual([...at].sort((a, b) => a - b), at, `${name}: groups in README order`);
      for (const option of OPTIONS) {
        const line = stdout.split('\n').find((l) => l.includes(`--${flagNameOf(option.path)}`) || l.includes(`--[no-]${flagNameOf(option.path)}`));
        assert.ok(line, `${name} --help names ${option.path}`);
        assert.ok(line.includes(`(default ${describeDefault(option).replace(/`/g, '')}; env ${envNameOf(option.path)})`), `${name}: ${line}`);
      }
    }
  });

  it('demo --help lists the logging flags with their defaults, and demo takes them', async () => {
    const { stdout } = await helpOf('demo');
    assert.match(stdout, /--log-level, --log-level debug\|info\|warn\|error\|silent {2}\(default info;|--log-level debug\|info\|warn\|error\|silent {2}\(default info;/);
    assert.match(stdout, /--log-format json\|pretty\|auto {2}\(default auto;/);
    assert.match(stdout, /\n {2}--data DIR {9}data folder \(default \.\/\.jottadav\)/);
    // A bad value is refused before anything starts, naming the option.
    const bad = await runCli(['demo', '--log-level', 'loud', '--data', join(dir, 'bad')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /log\.level/);
  });

  describe('jottadav demo, its output piped', () => {
    let child: Child | undefined;
    afterEach(async () => {
      await child?.kill();
      child = undefined;
    });

    it('with --host 0.0.0.0 --log-level warn: JSON on every line, a dialable address, and the clear-text warning once', async () => {
      child = startChild(['demo', '--host', '0.0.0.0', '--port', '0', '--log-level', 'warn', '--data', join(dir, 'wide')]);
      const banner = await child.waitFor(/\{[^\n]*"msg":"jottadav demo is serving"[^\n]*\n/);
      const info = JSON.parse(banner[0]) as { url: string; user: string; password: string; alsoAt?: string[] };
      // Not 0.0.0.0, which is no address to connect to: loopback, and this machine's own addresses.
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      for (const other of info.alsoAt ?? []) assert.doesNotMatch(other, /0\.0\.0\.0|127\.0\.0\.1/);
      const auth = { Authorization: basic(info.user, info.password) };
      assert.equal((await raw(info.url, 'PROPFIND', '/', { headers: { ...auth, Depth: '0' } })).status, 207);
      if (info.alsoAt?.[0]) assert.equal((await raw(info.alsoAt[0], 'PROPFIND', '/', { headers: { ...auth, Depth: '0' } })).status, 207);
      child.process.kill('SIGINT');
      assert.equal(await child.exited, 0);
      const out = jsonLines(child.stdout());
      const err = jsonLines(child.stderr());
      const warnings = [...out, ...err].filter((l) => /clear text/i.test(String(l.msg)));
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      // --log-level warn reached the logger: no info lines (requests, stopping), the warning only.
      assert.deepEqual(
        err.map((l) => l.level),
        ['warn'],
      );
    });

    it('a busy port: exit 1 with one line that suggests --port, no raw EADDRINUSE stack', async () => {
      await withBusyPort(async (port) => {
        const result = await runCli(['demo', '--port', String(port), '--data', join(dir, 'busy')], { timeoutMs: 60_000 });
        assert.equal(result.code, 1, result.stderr);
        const lines = jsonLines(result.stderr);
        assert.equal(lines.length, 1, result.stderr);
        assert.equal(lines[0]?.level, 'error');
        assert.match(String(lines[0]?.msg), new RegExp(`port ${port} is already in use.*--port`));
        assert.doesNotMatch(result.stderr, /\n\s+at /);
        assert.equal(result.stdout, '');
      });
    });
  });

  describe('jottadav serve', () => {
    let emulator: Emulator;
    let configFile: string;
    before(async () => {
      emulator = await startEmulator();
      // No host and no log settings: the defaults a user's config leaves to the flags.
      configFile = await writeServeConfig(emulator, dir, { name: 'kari', password: 'pw for serve' }, { server: { port: 0 }, store: 'memory', log: {} }, 'serve-config.json');
    });
    after(async () => {
      await emulator?.close();
    });

    it('a busy port: exit 1 with one JSON line that suggests --port', async () => {
      await withBusyPort(async (port) => {
        const result = await runCli(['serve', '--config', configFile, '--port', String(port)], { timeoutMs: 60_000 });
        assert.equal(result.code, 1, result.stderr);
        const lines = jsonLines(result.stderr);
        assert.equal(lines.length, 1, result.stderr);
        assert.match(String(lines[0]?.msg), /already in use.*--port PORT, or --port 0/);
      });
    });

    it('a busy metrics port names --metrics-port', async () => {
      await withBusyPort(async (port) => {
        const result = await runCli(['serve', '--config', configFile, '--metrics', '--metrics-port', String(port)], { timeoutMs: 60_000 });
        assert.equal(result.code, 1, result.stderr);
        assert.match(result.stderr, /already in use.*--metrics-port/);
      });
    });

    it('with --host 0.0.0.0: config warnings and the clear-text warning come as JSON lines, the warning once; the logged URL answers', async () => {
      const child = startChild(['serve', '--config', configFile, '--host', '0.0.0.0', '--log-format', 'auto']);
      try {
        const url = await servedUrl(child);
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
        assert.equal((await raw(url, 'PROPFIND', '/', { headers: { Authorization: basic('kari', 'pw for serve'), Depth: '0' } })).status, 207);
        child.process.kill('SIGTERM');
        assert.equal(await child.exited, 0);
        const lines = jsonLines(child.stderr());
        assert.equal(lines.filter((l) => /clear text/i.test(String(l.msg))).length, 1, child.stderr());
      } finally {
        await child.kill();
      }
    });
  });

  describe('the README', () => {
    /** Commands in code blocks and in inline code, as a reader copies them. */
    const commands = (): string[] => {
      const blocks = [...README.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n'));
      // Headings name a command (and anchor links use those names); they are not commands to run.
      const prose = README.replace(/```[a-z]*\n[\s\S]*?```/g, '')
        .split('\n')
        .filter((l) => !l.startsWith('#'));
      const inline = prose.flatMap((l) => [...l.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string));
      return [...blocks, ...inline].filter((l) => /\bjottadav (demo|emulator|serve|login|hash-password|check-config|about|cleanup|link)\b/.test(l));
    };

    it('runs every jottadav command through npx (no bare command that a fresh clone lacks)', () => {
      const list = commands();
      assert.ok(list.length >= 10, `found ${list.length} commands`);
      for (const line of list) {
        // The login walk-through quotes the command's own output ("Next: jottadav …") verbatim.
        if (/^Next: /.test(line)) continue;
        for (const m of line.matchAll(/(\S*)\s*\bjottadav (?:demo|emulator|serve|login|hash-password|check-config|about|cleanup|link)\b/g)) {
          assert.equal(m[1], 'npx', `"${line}" runs jottadav without npx`);
        }
      }
    });

    it('names only subcommands that exist (each answers --help, above)', () => {
      const named = new Set(commands().flatMap((l) => [...l.matchAll(/npx jottadav ([a-z-]+)/g)].map((m) => m[1] as string)));
      assert.ok(named.size >= 6, [...named].join(' '));
      for (const name of named) assert.ok(SUBCOMMANDS.includes(name), `README runs npx jottadav ${name}`);
    });

    it('npm pack holds only what ships: the built program and its docs, no specs, sources or source maps', async () => {
      const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      const files = ((JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files ?? []).map((f) => f.path);
      for (const needed of ['package.json', 'README.md', 'config.example.json', 'dist/bin/jottadav.js', 'dist/lib/cli/index.js', 'dist/lib/app.js', 'dist/lib/vfs/spool/hash-worker.js']) {
        assert.ok(files.includes(needed), `${needed} ships`);
      }
      const stray = files.filter((f) => f.startsWith('dist/spec/') || f.startsWith('spec/') || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')) || f.includes('tsbuildinfo'));
      assert.deepEqual(stray, []);
      // The package's bin is in it.
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      for (const bin of Object.values(pkg.bin)) assert.ok(files.includes(bin.replace(/^\.\//, '')), bin);
    });
  });
});
