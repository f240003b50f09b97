/**
 * `jottadav check-config [--config FILE] [config flags]`: loads the config exactly as `serve`
 * would (file ← env ← flags) and prints every problem with its hint. Exit 1 when any error
 * (or, with --strict, any warning); 0 otherwise.
 */
import { runCommand } from './command.js';
import { CONFIG_FLAG_OPTIONS, defaultConfigFile, formatProblems, loadConfig, optionsHelp, type LoadOptions } from '../config/index.js';
import { SERVICES } from '../jottacloud/services.js';
import { redact } from '../util/redact.js';

const HELP = `Usage: jottadav check-config [--config FILE] [--strict] [--json] [--print] [config flags]

Validates a configuration as \`jottadav serve\` would load it (file, then JOTTADAV_* environment
variables, then flags) and reports every problem at once, each with a hint.

Options:
  --config FILE  the config file (default: $JOTTADAV_CONFIG, else ~/.config/jottadav/config.json)
  --strict       warnings fail too
  --json         print the problems as JSON
  --print        also print the effective configuration (secrets redacted)
  -h, --help     show this help

Any option of the configuration can be given as a flag too:

${optionsHelp()}`;

const OPTIONS = { ...CONFIG_FLAG_OPTIONS, strict: { type: 'boolean' }, json: { type: 'boolean' }, print: { type: 'boolean' } } as const;

export async function run(argv: string[]): Promise<number> {
  return runCommand({ name: 'check-config', help: HELP, options: OPTIONS }, argv, async ({ values: parsed, io }) => {
    const values = parsed as Record<string, string | boolean | (string | boolean)[] | undefined>;
    const file = typeof values.config === 'string' ? values.config : defaultConfigFile();
    const flags: LoadOptions['flags'] = { ...values };
    for (const own of ['strict', 'json', 'print', 'help', 'config']) delete flags[own];
    const loaded = loadConfig({ file, flags, services: SERVICES.map((s) => s.key) });
    const errors = loaded.problems.filter((p) => p.severity === 'error').length;
    const failed = errors > 0 || (values.strict === true && loaded.problems.length > 0);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ file: loaded.file, ok: !failed, problems: loaded.problems, ...(values.print ? { config: redact(loaded.config) } : {}) }, null, 2)}\n`);
      return failed ? 1 : 0;
    }
    if (loaded.problems.length > 0) io.stderr.write(`${formatProblems(loaded.problems)}\n`);
    if (values.print) io.stdout.write(`${JSON.stringify(redact(loaded.config), null, 2)}\n`);
    if (!failed) io.stdout.write(`${loaded.file ?? 'configuration'}: OK${loaded.problems.length > 0 ? ' (with warnings)' : ''}\n`);
    return failed ? 1 : 0;
  });
}
