/** Runs the real CLI (the compiled bin) as a child process with piped stdin. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/jottadav.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `answers` are written to stdin one line at a time, each only after the CLI has printed
 * something since the previous one, so that the run reads like a person answering prompts.
 * stdin is closed after the last answer.
 */
export function runCli(args: string[], options: { input?: string; answers?: string[]; env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const answers = [...(options.answers ?? [])];
    let printedSinceAnswer = true;
    const feed = () => {
      if (!printedSinceAnswer) return;
      const next = answers.shift();
      if (next === undefined) {
        child.stdin.end();
        return;
      }
      printedSinceAnswer = false;
      child.stdin.write(`${next}\n`);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI timed out: ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      printedSinceAnswer = true;
      if (options.answers) setImmediate(feed);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      printedSinceAnswer = true;
      if (options.answers) setImmediate(feed);
    });
    child.stdin.on('error', () => undefined); // the CLI may exit before reading everything
    if (options.input !== undefined) child.stdin.end(options.input);
    else if (!options.answers) child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
