/** `jottadav about`: usage and quota of the configured account, like `rclone about remote:`. */
import { formatSize } from '../config/index.js';
import { ACCOUNT_HELP, runAccountCommand } from './account.js';

const HELP = `Usage: jottadav about [--config FILE] [--account NAME] [--json]

Shows the account's usage and quota (as rclone about does).

${ACCOUNT_HELP}`;

export async function run(argv: string[]): Promise<number> {
  return runAccountCommand({ name: 'about', help: HELP }, argv, async ({ result }, opened) => {
    const [usage, described] = await Promise.all([opened.backend.usage(), opened.storage.describe()]);
    // No total: unlimited; total and free are left out then, as rclone does.
    const report = {
      account: opened.name,
      user: described.user,
      accountType: described.plan ?? null,
      used: usage.used,
      total: usage.total ?? null,
      free: usage.total !== undefined ? Math.max(0, usage.total - usage.used) : null,
      unlimited: usage.total === undefined,
      devices: described.devices,
    };
    const human = (n: number) => `${formatSize(n)} (${n} bytes)`;
    const lines = [
      `Account: ${report.account} (${report.user}${report.accountType ? `, ${report.accountType}` : ''})`,
      `Total:   ${report.total !== null ? human(report.total) : 'unlimited'}`,
      `Used:    ${human(report.used)}`,
      ...(report.free !== null ? [`Free:    ${human(report.free)}`] : []),
      `Devices: ${report.devices.join(', ') || '(none)'}`,
    ];
    result(report, lines.join('\n'));
    return 0;
  });
}
