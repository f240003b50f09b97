/**
 * `jottadav hash-password`: reads a password without echoing it (twice on a terminal) or one
 * line from piped stdin, and prints the scrypt hash that goes into a user's `passwordHash`.
 * Prompts go to stderr so that `jottadav hash-password > hash.txt` captures the hash alone.
 *
 * Also home of Terminal, the prompt reader `jottadav login` shares.
 */
import { parseArgs } from 'node:util';
import { hashPassword } from '../dav/auth.js';

const HELP = `Usage: jottadav hash-password [--user NAME]

Reads a WebDAV user's password and prints its scrypt hash for the config's users[].passwordHash.
On a terminal the password is asked twice and never echoed; when stdin is piped, its first line
is the password (e.g. printf '%s\\n' "$PW" | jottadav hash-password).

Options:
  --user NAME   print a ready users[] entry {"name": NAME, "passwordHash": …} instead
  -h, --help    show this help`;

/** The user pressed Ctrl-C (or Ctrl-D on an empty secret) at a prompt. */
export class PromptCancelled extends Error {
  override readonly name = 'PromptCancelled';
  constructor() {
    super('cancelled');
  }
}

export interface TerminalInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface TerminalIo {
  stdin: TerminalInput;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const processIo = (): TerminalIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/**
 * Line prompts and hidden prompts over one input. Piped input is read line by line, so a
 * script (or a spec) can answer a whole sequence of prompts; on a TTY, secrets are read in raw
 * mode without echo. Prompts are written to `output` (stderr).
 */
export class Terminal {
  private buffer = '';
  private ended = false;
  private waiter: (() => void) | undefined;
  private attached = false;
  private readonly onData = (chunk: Buffer | string) => {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.wake();
  };
  private readonly onEnd = () => {
    this.ended = true;
    this.wake();
  };

  constructor(
    private readonly input: TerminalInput,
    private readonly output: NodeJS.WritableStream,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true;
  }

  say(text: string): void {
    this.output.write(`${text}\n`);
  }

  /** One line (echoed on a TTY by the terminal itself); undefined at end of input. */
  async line(prompt: string): Promise<string | undefined> {
    this.output.write(prompt);
    this.attach();
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const text = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        if (!this.interactive) this.output.write('\n');
        return text;
      }
      if (this.ended) {
        const rest = this.buffer;
        this.buffer = '';
        if (!this.interactive) this.output.write('\n');
        return rest === '' ? undefined : rest;
      }
      await this.more();
    }
  }

  /** A line that is never echoed; piped input is read like any line. */
  async secret(prompt: string): Promise<string | undefined> {
    if (!this.interactive || typeof this.input.setRawMode !== 'function') return this.line(prompt);
    this.output.write(prompt);
    this.attach();
    this.input.setRawMode(true);
    let text = '';
    try {
      for (;;) {
        while (this.buffer.length > 0) {
          const ch = this.buffer[0] as string;
          // Skip terminal escape sequences (arrow keys) whole.
          const esc = /^\x1b(?:\[[0-9;?]*[A-Za-z~]|.)?/.exec(this.buffer);
          if (esc) {
            this.buffer = this.buffer.slice(esc[0].length);
            continue;
          }
          this.buffer = this.buffer.slice(1);
          if (ch === '\r' || ch === '\n') return text;
          if (ch === '\u0003') throw new PromptCancelled();
          if (ch === '\u0004') {
            if (text === '') throw new PromptCancelled();
            continue;
          }
          if (ch === '\u007f' || ch === '\b') {
            text = [...text].slice(0, -1).join('');
            continue;
          }
          if (ch >= ' ') text += ch;
        }
        if (this.ended) return text === '' ? undefined : text;
        await this.more();
      }
    } finally {
      this.input.setRawMode(false);
      this.output.write('\n');
    }
  }

  /** Stops reading, so that the process can exit. */
  close(): void {
    if (!this.attached) return;
    this.input.removeListener('data', this.onData);
    this.input.removeListener('end', this.onEnd);
    this.input.removeListener('error', this.onEnd);
    this.input.pause();
    this.attached = false;
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onEnd);
    this.input.resume();
  }

  private more(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

export async function run(argv: string[]): Promise<number> {
  return runWith(argv, processIo());
}

export async function runWith(argv: string[], io: TerminalIo): Promise<number> {
  let values: { user?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { user: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    io.stderr.write(`jottadav hash-password: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.user !== undefined && (values.user === '' || /[:\s]/.test(values.user))) {
    io.stderr.write('jottadav hash-password: --user: a non-empty name without colons or spaces (Basic auth cannot carry them)\n');
    return 2;
  }
  const term = new Terminal(io.stdin, io.stderr);
  let password: string | undefined;
  try {
    password = await term.secret('Password: ');
    if (password === undefined || password === '') {
      io.stderr.write(`jottadav hash-password: ${term.interactive ? 'an empty password is not allowed' : 'no password on stdin (expected one line)'}\n`);
      return 1;
    }
    if (term.interactive) {
      const again = await term.secret('Repeat password: ');
      if (again !== password) {
        io.stderr.write('jottadav hash-password: the passwords do not match; nothing was printed\n');
        return 1;
      }
    }
  } catch (error) {
    if (error instanceof PromptCancelled) {
      io.stderr.write('jottadav hash-password: cancelled\n');
      return 130;
    }
    throw error;
  } finally {
    term.close();
  }
  if ([...password].length < 8) io.stderr.write('jottadav hash-password: warning: a password under 8 characters is easy to guess\n');
  const hash = await hashPassword(password);
  io.stdout.write(values.user !== undefined ? `${JSON.stringify({ name: values.user, passwordHash: hash })}\n` : `${hash}\n`);
  return 0;
}
