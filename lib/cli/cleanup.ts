/** `jottadav cleanup`: empties the account's trash, like `rclone cleanup remote:`. */
import type { FetchLike } from '../jottacloud/index.js';
import { ACCOUNT_HELP, ACCOUNT_OPTIONS, explainAccountFailure, openAccount } from './about.js';
import { CommandError, runCommand } from './command.js';

const HELP = `Usage: jottadav cleanup [--config FILE] [--account NAME] [--json]

Empties the trash of the account (every device and mount point) permanently. Jottacloud also
empties it by itself after 30 days.

${ACCOUNT_HELP}`;

export async function run(argv: string[], fetch?: FetchLike): Promise<number> {
  return runCommand({ name: 'cleanup', help: HELP, options: ACCOUNT_OPTIONS, positionals: true, explain: explainAccountFailure }, argv, async ({ values, positionals, result }) => {
    if (positionals.length > 0) throw new CommandError(`unexpected argument '${positionals[0]}' (cleanup empties the whole trash)`, 2);
    const opened = openAccount({ config: values.config, account: values.account }, fetch);
    try {
      const emptied = await opened.client.purgeTrash();
      // Counts are of trash roots (a deleted folder counts once), as far as a 2026 measurement shows.
      const folders = emptied.folders ?? 0;
      const files = emptied.files ?? 0;
      result({ account: opened.name, folders, files }, `Emptied the trash of ${opened.name}: ${folders} folder${folders === 1 ? '' : 's'} and ${files} file${files === 1 ? '' : 's'} removed permanently.`);
      return 0;
    } finally {
      await opened.close();
    }
  });
}
