/**
 * `jottadav hash-password`: reads a password without echoing it (twice on a terminal) or one
 * line from piped stdin, and prints the scrypt hash that goes into a user's `passwordHash`.
 * Prompts go to stderr so that `jottadav hash-password > hash.txt` captures the hash alone.
 */
import { CommandError, runCommand } from './command.js';
import { hashPassword } from '../dav/auth.js';
import { Terminal, type TerminalIo } from './terminal.js';

const HELP = `Usage: jottadav hash-password [--user NAME]

Reads a WebDAV user's password and prints its scrypt hash for the config's users[].passwordHash.
On a terminal the password is asked twice and never echoed; when stdin is piped, its first line
is the password (e.g. printf '%s\\n' "$PW" | jottadav hash-password).

Options:
  --user NAME   print a ready users[] entry {"name": NAME, "passwordHash": …} instead
  -h, --help    show this help`;

const processIo = (): TerminalIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

export async function run(argv: string[]): Promise<number> {
  return runWith(argv, processIo());
}

export async function runWith(argv: string[], io: TerminalIo): Promise<number> {
  return runCommand({ name: 'hash-password', help: HELP, options: { user: { type: 'string' } } }, argv, async ({ values }) => {
    if (values.user !== undefined && (values.user === '' || /[:\s]/.test(values.user))) {
      throw new CommandError('--user: a non-empty name without colons or spaces (Basic auth cannot carry them)', 2);
    }
    const term = new Terminal(io.stdin, io.stderr);
    let password: string | undefined;
    try {
      password = await term.secret('Password: ');
      if (password === undefined || password === '') {
        throw new CommandError(term.interactive ? 'an empty password is not allowed' : 'no password on stdin (expected one line)');
      }
      if (term.interactive) {
        const again = await term.secret('Repeat password: ');
        if (again !== password) throw new CommandError('the passwords do not match; nothing was printed');
      }
    } finally {
      term.close();
    }
    if ([...password].length < 8) io.stderr.write('jottadav hash-password: warning: a password under 8 characters is easy to guess\n');
    const hash = await hashPassword(password);
    io.stdout.write(values.user !== undefined ? `${JSON.stringify({ name: values.user, passwordHash: hash })}\n` : `${hash}\n`);
    return 0;
  }, io);
}
