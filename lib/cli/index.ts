/**
 * Subcommand dispatch. Each subcommand lives in lib/cli/<name>.ts (login, in several files, in
 * lib/cli/login/index.ts) and exports
 * `run(argv: string[]): Promise<number>` (the exit code). Modules load lazily so that
 * `jottadav hash-password` does not pay for the whole server.
 */
import { readFileSync } from 'node:fs';

export interface Subcommand {
  summary: string;
}

export const SUBCOMMANDS: Record<string, Subcommand> = {
  demo: { summary: 'run the bridge on the embedded emulator (what `npm start` runs)' },
  emulator: { summary: 'run the local Jottacloud emulator alone' },
  serve: { summary: 'serve a Jottacloud account over WebDAV (--config FILE)' },
  login: { summary: 'log in with a personal login token and write the config' },
  'hash-password': { summary: 'hash a WebDAV user password for the config' },
  'check-config': { summary: 'validate a config file and report every problem' },
  about: { summary: 'show usage and quota' },
  cleanup: { summary: 'empty the trash' },
  link: { summary: 'create or remove a public link (PATH [--unlink])' },
};

/** The version in the package.json that ships beside dist/ (three folders up from dist/lib/cli). */
export function version(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: jottadav <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'jottadav <command> --help' for a command's options, 'jottadav --version' for the version.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name = 'demo', ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(`jottadav ${version()}`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (!Object.hasOwn(SUBCOMMANDS, name)) {
    console.error(`jottadav: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  let module: { run?: (argv: string[]) => Promise<number> };
  try {
    module = (await import(name === 'login' ? './login/index.js' : `./${name}.js`)) as typeof module;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      console.error(`jottadav: '${name}' is not available in this build yet`);
      return 2;
    }
    throw error;
  }
  if (typeof module.run !== 'function') throw new Error(`subcommand '${name}' has no run()`);
  return module.run(rest);
}
