/**
 * Which service the account is with: Jottacloud itself or one of its white-label resellers
 * (the list rclone offers). Asked first, as rclone does: it decides where the user is told to
 * generate the login token, and it is recorded in the account entry.
 */
import { SERVICES, type WhiteLabelService } from '../../jottacloud/index.js';
import { LoginError } from './errors.js';
import type { LoginFlags } from './flags.js';
import { ask, byNumber, sayNumbered } from './prompts.js';
import type { Terminal } from '../terminal.js';

/** --service, else the first (Jottacloud) with --yes, else asked by number or key. */
export async function chooseService(flags: LoginFlags, term: Terminal): Promise<WhiteLabelService> {
  const byKey = (key: string) => SERVICES.find((s) => s.key === key.trim().toLowerCase());
  if (flags.service !== undefined) {
    const found = byKey(flags.service);
    if (!found) throw new LoginError(`unknown --service '${flags.service}'; one of: ${SERVICES.map((s) => s.key).join(', ')}`);
    return found;
  }
  if (flags.yes) return SERVICES[0] as WhiteLabelService;
  term.say('Which service is the account with? Choose a number from below, or type its key');
  sayNumbered(term, SERVICES.map((s) => `${s.name} (${s.key})`));
  for (;;) {
    const answer = await ask(term, 'Service [1]> ');
    if (answer === '') return SERVICES[0] as WhiteLabelService;
    const found = byNumber(answer, SERVICES) ?? byKey(answer);
    if (found) return found;
    term.say(`'${answer}' is not in the list; type a number from 1 to ${SERVICES.length} or a key such as telia_se.`);
  }
}

/** Each reseller keeps the login-token page in its own web interface, at no URL we know. */
export function whereToGetToken(service: WhiteLabelService): string {
  return service.key === 'jottacloud'
    ? 'Generate a personal login token here: https://www.jottacloud.com/web/secure'
    : `Generate a personal login token in ${service.name}'s web interface, under the account's security settings.`;
}
