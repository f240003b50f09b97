/**
 * The wizard's kinds of question, asked the way rclone's Jottacloud wizard asks them (y/n, a
 * numbered list that also takes a typed name), so that rclone users meet nothing new. Every
 * answer here is required: input that ends first throws PromptCancelled, which runLogin reports
 * as a script missing an answer (piped stdin) or as a cancel (a terminal).
 */
import type { LoginFlags } from './flags.js';
import { PromptCancelled, type Terminal } from '../terminal.js';

/** A line that must be answered, trimmed. */
export async function ask(term: Terminal, prompt: string): Promise<string> {
  const answer = (await term.line(prompt))?.trim();
  if (answer === undefined) throw new PromptCancelled();
  return answer;
}

/** A secret that must be answered, as typed (a pasted token or a password is not trimmed). */
export async function askSecret(term: Terminal, prompt: string): Promise<string> {
  const answer = await term.secret(prompt);
  if (answer === undefined) throw new PromptCancelled();
  return answer;
}

/** y/n with a default; --yes takes the default without asking. Anything else is asked again. */
export async function confirm(flags: LoginFlags, term: Terminal, question: string, fallback: boolean): Promise<boolean> {
  if (flags.yes) return fallback;
  for (;;) {
    const answer = (await ask(term, `${question}\ny) Yes\nn) No\ny/n [${fallback ? 'y' : 'n'}]> `)).toLowerCase();
    if (answer === '') return fallback;
    if (answer === 'y' || answer === 'yes') return true;
    if (answer === 'n' || answer === 'no') return false;
  }
}

/** rclone-style numbered choice; an empty answer takes the default, a typed name must exist. */
export async function choose(term: Terminal, title: string, label: string, options: string[], fallback: string): Promise<string> {
  if (options.length === 0) return fallback;
  term.say(title);
  term.say('Choose a number from below, or type in an existing value');
  sayNumbered(term, options);
  for (;;) {
    const answer = await ask(term, `${label} [${fallback}]> `);
    if (answer === '') return options.find((o) => o.toLowerCase() === fallback.toLowerCase()) ?? fallback;
    const numbered = byNumber(answer, options);
    if (numbered !== undefined) return numbered;
    const named = findName(options, answer);
    if (named) return named;
    term.say(`'${answer}' is not one of them; type a number from 1 to ${options.length} or a name from the list.`);
  }
}

/** The list as rclone prints it: ` 1 > first`. */
export function sayNumbered(term: Terminal, labels: readonly string[]): void {
  labels.forEach((label, i) => term.say(`${String(i + 1).padStart(2)} > ${label}`));
}

/** The item an answer picks by its number in a list printed by sayNumbered, if it does. */
export function byNumber<T>(answer: string, list: readonly T[]): T | undefined {
  const n = Number(answer);
  return Number.isInteger(n) && n >= 1 && n <= list.length ? list[n - 1] : undefined;
}

/**
 * The existing name meant by `wanted`: the exact one first, else one that differs only in case
 * (people type "jotta"; the config must hold the server's spelling, "Jotta").
 */
export function findName(names: readonly string[], wanted: string): string | undefined {
  return names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
}
