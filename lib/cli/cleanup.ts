/** `jottadav cleanup`: empties the account's trash, like `rclone cleanup remote:`. */
import { ACCOUNT_HELP, runAccountCommand } from './account.js';
import { CommandError } from './command.js';

const HELP = `Usage: jottadav cleanup [--config FILE] [--account NAME] [--json]

Empties the trash of the account (every device and mount point) permanently. Jottacloud also
empties it by itself after 30 days.

${ACCOUNT_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const check = (_values: unknown, positionals: string[]) => {
    if (positionals.length > 0) throw new CommandError(`unexpected argument '${positionals[0]}' (cleanup empties the whole trash)`, 2);
  };
  return runAccountCommand({ name: 'cleanup', help: HELP, positionals: true, check }, argv, async ({ result }, opened) => {
    const { folders, files } = await opened.backend.emptyTrash();
    result({ account: opened.name, folders, files }, `Emptied the trash of ${opened.name}: ${folders} folder${folders === 1 ? '' : 's'} and ${files} file${files === 1 ? '' : 's'} removed permanently.`);
    return 0;
  });
}
