/** `jottadav cleanup`: empties the account's trash, like `rclone cleanup remote:`. */
import type { FetchLike } from '../jottacloud/index.js';
import { ACCOUNT_HELP, ACCOUNT_OPTIONS, CommandError, openAccount, runAccountCommand } from './about.js';

const HELP = `Usage: jottadav cleanup [--config FILE] [--account NAME] [--json]

Empties the trash of the account (every device and mount point) permanently. Jottacloud also
empties it by itself after 30 days.

${ACCOUNT_HELP}`;

export async function run(argv: string[], fetch?: FetchLike): Promise<number> {
  return runAccountCommand('cleanup', HELP, argv, ACCOUNT_OPTIONS, async (values, positionals, io) => {
    if (positionals.length > 0) throw new CommandError(`unexpected argument '${positionals[0]}' (cleanup empties the whole trash)`);
    const opened = openAccount({ config: values.config as string | undefined, account: values.account as string | undefined }, fetch);
    try {
      const result = await opened.client.purgeTrash();
      // Counts are of trash roots (a deleted folder counts once), as far as a 2026 measurement shows.
      const folders = result.folders ?? 0;
      const files = result.files ?? 0;
      if (values.json) io.stdout.write(`${JSON.stringify({ account: opened.name, folders, files })}\n`);
      else io.stdout.write(`Emptied the trash of ${opened.name}: ${folders} folder${folders === 1 ? '' : 's'} and ${files} file${files === 1 ? '' : 's'} removed permanently.\n`);
      return 0;
    } finally {
      await opened.close();
    }
  });
}
