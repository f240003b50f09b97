/**
 * What every subcommand shares: where it prints (CommandIo), its flags with -h/--help, and one
 * set of exit codes, so no command has conventions of its own:
 *   0    done (also after --help)
 *   1    a failure the user can act on, printed as one line `jottadav NAME: …` (no stack trace)
 *   2    a bad flag or argument (printed with the help when parseArgs refused it)
 *   130  cancelled at a terminal (Ctrl-C or Ctrl-D at a prompt)
 * With a --json flag, a command's result goes to stdout as JSON; failures stay lines on stderr,
 * so stdout holds either a whole JSON document or nothing.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PromptCancelled } from './terminal.js';

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A failure the user can act on: printed as one line, exit `exitCode` (1, or 2 for a bad argument). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;
type WithHelp<O extends OptionsConfig> = O & typeof HELP_OPTION;

/** The flag values parseArgs gives for `options` (plus --help). */
export type CommandValues<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ options: WithHelp<O>; strict: true; allowPositionals: false }>
>['values'];

export interface CommandSpec<O extends OptionsConfig> {
  name: string;
  help: string;
  /** The flags; -h/--help is added. A `json` boolean among them makes result() print JSON. */
  options: O;
  /** Arguments besides flags are taken (the body checks how many); otherwise one is a bad flag. */
  positionals?: boolean;
  /**
   * For what parseArgs cannot judge (a URL flag that is no URL, a missing argument): what it
   * throws is a bad command line (exit 2, with the help). Not called with --help.
   */
  check?: (values: CommandValues<O>, positionals: string[]) => void;
  /** One line for a failure the body did not turn into a CommandError; default: its message. */
  explain?: (error: unknown) => string;
}

export interface CommandRun<O extends OptionsConfig> {
  values: CommandValues<O>;
  positionals: string[];
  io: CommandIo;
  /** The command's result on stdout: `value` as JSON with --json, else the `human` lines. */
  result(value: unknown, human: string): void;
}

/** Parses the command line, runs `body`, and turns whatever it throws into a line and an exit code. */
export async function runCommand<O extends OptionsConfig>(
  spec: CommandSpec<O>,
  argv: string[],
  body: (run: CommandRun<O>) => Promise<number>,
  io: CommandIo = process,
): Promise<number> {
  let values: CommandValues<O>;
  let positionals: string[];
  const refuse = (error: unknown) => {
    io.stderr.write(`jottadav ${spec.name}: ${(error as Error).message}\n\n${spec.help}\n`);
    return 2;
  };
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { ...spec.options, ...HELP_OPTION }, strict: true, allowPositionals: spec.positionals === true }) as {
      values: CommandValues<O>;
      positionals: string[];
    });
  } catch (error) {
    return refuse(error);
  }
  if ((values as { help?: boolean }).help) {
    io.stdout.write(`${spec.help}\n`);
    return 0;
  }
  try {
    spec.check?.(values, positionals);
  } catch (error) {
    return refuse(error);
  }
  const json = (values as { json?: unknown }).json === true;
  const result = (value: unknown, human: string) => io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
  try {
    return await body({ values, positionals, io, result });
  } catch (error) {
    if (error instanceof PromptCancelled) {
      io.stderr.write(`jottadav ${spec.name}: cancelled\n`);
      return 130;
    }
    const message = error instanceof CommandError ? error.message : spec.explain ? spec.explain(error) : error instanceof Error ? error.message : String(error);
    io.stderr.write(`jottadav ${spec.name}: ${message}\n`);
    return error instanceof CommandError ? error.exitCode : 1;
  }
}
