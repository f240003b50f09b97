/** Small process-level helpers shared by the long-running subcommands. */
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Resolves with the first SIGINT or SIGTERM. Later ones are noted and ignored, never left to
 * Node's default (immediate death): Ctrl+C under `npm start` arrives twice (the terminal signals
 * the process group and npm forwards it), and a supervisor may repeat its SIGTERM. The shutdown
 * is bounded by its grace anyway; SIGKILL remains for the impatient.
 */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    const stop = (signal: NodeJS.Signals) => {
      if (first === undefined) {
        first = signal;
        resolve(signal);
        return;
      }
      process.stderr.write(`jottadav: already stopping (${signal} ignored); waiting for uploads in flight, bounded by the shutdown grace\n`);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Writes JSON through a temp file and a rename, so a watcher never reads half a file. */
export function writeJsonAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
type WithHelp<O extends OptionsConfig> = O & typeof HELP_OPTION;

/** The flag values parseArgs gives for `options` (plus --help). */
export type CommandValues<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ options: WithHelp<O>; strict: true; allowPositionals: false }>
>['values'];

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * A subcommand's flags, with -h/--help added. Returns the values, or the exit code when the
 * command should stop here: 0 after printing the help, 2 after a bad flag (with the help).
 * `check` is for values parseArgs cannot judge (a URL flag that is not a URL): what it throws is
 * a bad flag like any other, and wins over --help.
 */
export function parseCommandLine<O extends OptionsConfig>(
  command: string,
  argv: string[],
  options: O,
  help: string,
  io: CommandIo = process,
  check?: (values: CommandValues<O>) => void,
): CommandValues<O> | number {
  let values: CommandValues<O>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, ...HELP_OPTION }, strict: true, allowPositionals: false }));
    check?.(values);
  } catch (error) {
    io.stderr.write(`jottadav ${command}: ${(error as Error).message}\n\n${help}\n`);
    return 2;
  }
  if ((values as { help?: boolean }).help) {
    io.stdout.write(`${help}\n`);
    return 0;
  }
  return values;
}
