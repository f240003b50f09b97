/**
 * Runs the Debian `litmus` WebDAV conformance suite against a URL and parses its per-test
 * results. Each suite runs as its own process with its own deadline, so a server that hangs or
 * dies costs only the tests it did not answer. litmus writes debug.log/child.log into its
 * working directory: it runs in a fresh temp dir that is removed afterwards (kept on request).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, requireBinary } from './required-binary.js';

export const LITMUS_SUITES = ['basic', 'copymove', 'props', 'locks', 'http'] as const;
export type LitmusSuite = (typeof LITMUS_SUITES)[number];

export interface LitmusTest {
  index: number;
  name: string;
  result: 'pass' | 'fail' | 'skipped';
  /** The failure or skip reason, and any warning text. */
  message?: string;
  warnings: number;
}

export interface LitmusSuiteResult {
  suite: string;
  tests: LitmusTest[];
  /** From the "<- summary" line; undefined when the suite never got there (crash, hang). */
  summary?: { run: number; passed: number; failed: number };
  exitCode: number | null;
  timedOut: boolean;
  output: string;
}

export interface LitmusOptions {
  url: string;
  user?: string;
  password?: string;
  suites?: readonly string[];
  /** Per suite; default 120 s. */
  timeoutMs?: number;
  /** Keep the temp dir with debug.log (its path is returned). */
  keepLogs?: boolean;
}

/** The litmus wrapper script, or undefined when it is not installed. */
export function findLitmus(): string | undefined {
  return findBinary('litmus');
}

export async function runLitmus(options: LitmusOptions): Promise<{ suites: LitmusSuiteResult[]; logDir?: string }> {
  const bin = findLitmus();
  if (!bin) throw new Error('litmus is not installed (Debian package "litmus")');
  const dir = await mkdtemp(join(tmpdir(), 'litmus-'));
  const suites: LitmusSuiteResult[] = [];
  try {
    for (const suite of options.suites ?? LITMUS_SUITES) {
      const args = ['-k', options.url, ...(options.user !== undefined ? [options.user, options.password ?? ''] : [])];
      suites.push(await runSuite(bin, args, suite, dir, options.timeoutMs ?? 120_000));
    }
  } finally {
    if (!options.keepLogs) await rm(dir, { recursive: true, force: true });
  }
  return options.keepLogs ? { suites, logDir: dir } : { suites };
}

function runSuite(bin: string, args: string[], suite: string, cwd: string, timeoutMs: number): Promise<LitmusSuiteResult> {
  return new Promise((resolve) => {
    // Own process group: the wrapper script starts the suite binary as its child, and a hung
    // suite must be killed with it (killing the shell alone would leave the binary holding
    // our pipes open).
    const child = spawn(bin, args, { cwd, env: { ...process.env, TESTS: suite }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const finish = (exitCode: number | null) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString('utf8');
      const parsed = parseLitmusOutput(output).find((s) => s.suite === suite);
      resolve({
        suite,
        tests: parsed?.tests ?? [],
        ...(parsed?.summary ? { summary: parsed.summary } : {}),
        exitCode,
        timedOut,
        output,
      });
    };
    child.once('error', () => finish(null));
    child.once('close', (code) => finish(code));
  });
}

const TEST_LINE = /^\s*(\d+)\.\s+(\S+?)\.*\s+(.*)$/;
const CONTINUATION = /^\s+\.{3,}\s+(.*)$/;
const SUMMARY = /^<- summary for `([^']+)': of (\d+) tests run: (\d+) passed, (\d+) failed/;
const SUITE_START = /^-> running `([^']+)':/;

/**
 * Parses litmus's stdout. neon redraws each test line with '\r' while it runs, so only the text
 * after the last '\r' of a line counts. A test that warns prints "WARNING: …" and its verdict on
 * a continuation line of dots.
 */
export function parseLitmusOutput(text: string): Array<Pick<LitmusSuiteResult, 'suite' | 'tests' | 'summary'>> {
  const suites: Array<Pick<LitmusSuiteResult, 'suite' | 'tests' | 'summary'>> = [];
  let current: (typeof suites)[number] | undefined;
  let pending: { index: number; name: string; message: string } | undefined;
  const verdict = (index: number, name: string, rest: string, extra: string) => {
    const warnings = Number(/with (\d+) warning/.exec(rest)?.[1] ?? (extra ? 1 : 0));
    const result = rest.startsWith('pass') ? 'pass' : rest.startsWith('SKIPPED') ? 'skipped' : 'fail';
    const reason = /\((.*)\)\s*$/.exec(rest)?.[1];
    const message = [extra, result === 'pass' ? '' : (reason ?? rest)].filter((s) => s).join(' | ');
    current?.tests.push({ index, name, result, warnings, ...(message ? { message } : {}) });
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.slice(rawLine.lastIndexOf('\r') + 1).replace(/\s+$/, '');
    let m: RegExpExecArray | null;
    if ((m = SUITE_START.exec(line))) {
      current = { suite: m[1] as string, tests: [] };
      suites.push(current);
      pending = undefined;
    } else if ((m = SUMMARY.exec(line))) {
      if (current) current.summary = { run: Number(m[2]), passed: Number(m[3]), failed: Number(m[4]) };
    } else if (pending && (m = CONTINUATION.exec(line)) && /^(pass|FAIL|SKIPPED)/.test(m[1] as string)) {
      verdict(pending.index, pending.name, m[1] as string, pending.message);
      pending = undefined;
    } else if ((m = TEST_LINE.exec(line))) {
      const [, index, name, rest] = m as unknown as [string, string, string, string];
      if (/^(pass|FAIL|SKIPPED)/.test(rest)) verdict(Number(index), name, rest, '');
      else pending = { index: Number(index), name, message: rest };
    } else if (pending && line.trim() !== '' && !line.startsWith('->') && !line.startsWith('<-')) {
      pending.message += ` ${line.trim()}`;
    }
  }
  return suites;
}

/** Every test that did not pass, as "suite/name: reason" lines. */
export function litmusFailures(suites: LitmusSuiteResult[]): string[] {
  const out: string[] = [];
  for (const s of suites) {
    if (s.timedOut) out.push(`${s.suite}: timed out`);
    if (!s.summary) out.push(`${s.suite}: no summary line (litmus exit ${String(s.exitCode)})`);
    else if (s.summary.failed > 0 && !s.tests.some((t) => t.result === 'fail')) out.push(`${s.suite}: ${s.summary.failed} failed`);
    for (const t of s.tests) if (t.result !== 'pass') out.push(`${s.suite}/${t.name}: ${t.result}${t.message ? ` (${t.message})` : ''}`);
  }
  return out;
}

/** Minimum test counts per suite in litmus 0.13, so a suite that silently ran nothing fails. */
export const EXPECTED_COUNTS: Record<string, number> = { basic: 16, copymove: 13, props: 30, locks: 41, http: 4 };

/**
 * For a spec that needs the litmus binary: under CI a missing binary fails the spec (CI installs
 * it); elsewhere the spec is marked pending with the reason, never passed silently.
 */
export function requireLitmus(ctx: Mocha.Context): void {
  requireBinary(ctx, findLitmus(), 'litmus');
}
