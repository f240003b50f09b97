/**
 * Prompts for the interactive subcommands (hash-password, login): line prompts and hidden
 * prompts over one input, answerable by a script through a pipe.
 */

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
