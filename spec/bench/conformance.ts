/**
 * `npm run bench:conformance`: litmus against jottadav (lib/dav over the in-memory Vfs) and
 * against webdav-server 2.6.3's own in-memory server, in one run, scores side by side.
 *
 * webdav-server runs in a child process (./webdav-server-child.ts) because known requests
 * crash it. When it dies the run says so, and every test it did not answer counts as failed:
 * the denominator of each group is the list of tests litmus ran against jottadav.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startDavServer } from '../../lib/dav/index.js';
import { hashPassword } from '../../lib/dav/auth.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { MemoryVfs } from '../support/memory-vfs.js';
import { findLitmus, LITMUS_SUITES, runLitmus, type LitmusSuiteResult } from '../support/litmus.js';
import type { BenchResult } from './types.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

const USER = 'litmus';
const PASSWORD = 'litmus-pass';
const SUITE_TIMEOUT_MS = 90_000;

interface Child {
  url: string;
  process: ChildProcess;
  exited: { code: number | null; signal: NodeJS.Signals | null; stderr: string } | undefined;
}

async function startWebdavServerChild(): Promise<Child> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'webdav-server-child.js');
  const proc = spawn(process.execPath, [script, USER, PASSWORD], { stdio: ['ignore', 'pipe', 'pipe'] });
  const child: Child = { url: '', process: proc, exited: undefined };
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  proc.once('exit', (code, signal) => {
    child.exited = { code, signal, stderr };
  });
  child.url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('webdav-server did not start within 20 s')), 20_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}/`);
      }
    });
    proc.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`webdav-server exited before listening: ${stderr}`));
    });
  });
  return child;
}

interface Score {
  passed: number;
  total: number;
  failed: string[];
}

/** Scores `run` against the reference test list of the same suite; missing tests are failures. */
function score(reference: LitmusSuiteResult | undefined, run: LitmusSuiteResult | undefined): Score {
  const expected = new Map<string, number>();
  const key = (t: { index: number; name: string }) => `${t.index}.${t.name}`;
  for (const t of reference?.tests ?? []) expected.set(key(t), 1);
  for (const t of run?.tests ?? []) if (!expected.has(key(t))) expected.set(key(t), 1);
  const passed = new Set((run?.tests ?? []).filter((t) => t.result === 'pass').map(key));
  const failed = [...expected.keys()].filter((k) => !passed.has(k));
  return { passed: passed.size, total: expected.size, failed };
}

export async function run(): Promise<BenchResult[]> {
  if (!findLitmus()) throw new Error('litmus is not installed (Debian package "litmus")');
  const ours = await startDavServer({
    ...DAV_DEFAULTS,
    vfs: new MemoryVfs(),
    store: new MemoryStore(),
    auth: { ...DAV_DEFAULTS.auth, users: [{ name: USER, passwordHash: await hashPassword(PASSWORD) }] },
  });
  let child: Child | undefined;
  const results: BenchResult[] = [];
  try {
    console.error(`# litmus against jottadav at ${ours.url}`);
    const mine = (await runLitmus({ url: ours.url, user: USER, password: PASSWORD, timeoutMs: SUITE_TIMEOUT_MS })).suites;
    child = await startWebdavServerChild();
    console.error(`# litmus against webdav-server 2.6.3 at ${child.url} (child pid ${child.process.pid})`);
    const theirs: LitmusSuiteResult[] = [];
    let diedDuring: string | undefined;
    for (const suite of LITMUS_SUITES) {
      const aliveBefore = child.exited === undefined;
      const [r] = (await runLitmus({ url: child.url, user: USER, password: PASSWORD, suites: [suite], timeoutMs: SUITE_TIMEOUT_MS })).suites;
      if (r) theirs.push(r);
      if (aliveBefore && child.exited !== undefined) diedDuring = suite;
      if (r?.timedOut) console.error(`# webdav-server: suite ${suite} hung and was stopped after ${SUITE_TIMEOUT_MS / 1000} s`);
    }

    const rows: string[] = [];
    let totals = { mine: 0, theirs: 0, all: 0 };
    for (const suite of LITMUS_SUITES) {
      const reference = mine.find((s) => s.suite === suite);
      const a = score(reference, reference);
      const b = score(reference, theirs.find((s) => s.suite === suite));
      totals = { mine: totals.mine + a.passed, theirs: totals.theirs + b.passed, all: totals.all + a.total };
      rows.push(`${suite.padEnd(9)} | ${`${a.passed}/${a.total}`.padStart(8)} | ${`${b.passed}/${b.total}`.padStart(19)}`);
      results.push({ name: `litmus ${suite} passed (jottadav)`, value: a.passed, unit: 'tests', baseline: b.passed, ratio: b.passed ? a.passed / b.passed : Infinity, note: `of ${a.total}; baseline webdav-server 2.6.3` });
      if (a.failed.length) console.error(`# jottadav ${suite} failures: ${a.failed.join(', ')}`);
      if (b.failed.length) console.error(`# webdav-server ${suite} failures/unanswered: ${b.failed.join(', ')}`);
    }
    console.log('\nlitmus 0.13  | jottadav | webdav-server 2.6.3');
    console.log('------------ | -------- | -------------------');
    for (const row of rows) console.log(row);
    console.log(`${'total'.padEnd(9)} | ${`${totals.mine}/${totals.all}`.padStart(8)} | ${`${totals.theirs}/${totals.all}`.padStart(19)}`);
    if (child.exited) {
      const how = child.exited.signal ? `signal ${child.exited.signal}` : `exit code ${String(child.exited.code)}`;
      const lines = child.exited.stderr.split('\n').map((l) => l.trim());
      const last = lines.find((l) => /^(\w*Error|Error)\b|\[ERR_/.test(l)) ?? lines.filter((l) => l).slice(-1)[0] ?? '';
      console.log(`\nwebdav-server's process DIED${diedDuring ? ` during the ${diedDuring} suite` : ''} (${how}); tests it did not answer count as failed.`);
      if (last) console.log(`  its last words: ${last}`);
    } else {
      console.log('\nwebdav-server\'s process survived the run.');
    }
  } finally {
    if (child && child.exited === undefined) child.process.kill('SIGKILL');
    await ours.close();
  }
  return results;
}

// Runnable alone: node dist/spec/bench/conformance.js
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    () => undefined,
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
