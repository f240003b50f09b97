/**
 * Documentation derived from the option table: the README's configuration table and the body
 * of config.example.json. A spec checks that the checked-in example equals exampleConfig(), so
 * the example cannot drift from the defaults.
 */
import { optionGroups } from './groups.js';
import { OPTIONS, describeDefault, envNameOf, flagNameOf } from './options.js';
import { ACCOUNT_DEFAULTS, ACCOUNT_FIELDS, USER_DEFAULTS, USER_FIELDS } from './structured.js';
import { ACCOUNTS_ENV, USERS_ENV } from './load.js';

type Obj = Record<string, unknown>;

/** Every option with its default, plus one account and one user as a template. */
export function exampleConfig(): Obj {
  const out: Obj = {
    '//': 'jottadav configuration: every option with its default. Keys starting with // are comments. See README "Configuration".',
  };
  // An ignored option in the example would only earn a warning.
  for (const option of OPTIONS.filter((o) => !o.ignored)) {
    const parts = option.path.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Obj;
    node[parts[parts.length - 1] as string] = option.default;
  }
  out.accounts = {
    default: {
      tokenFile: 'jottacloud-token.json',
      ...ACCOUNT_DEFAULTS,
      endpoints: { jfs: null, api: null, www: null, wellKnown: null },
    },
  };
  out.users = [
    {
      '//': 'replace passwordHash with the output of `jottadav hash-password`',
      name: 'alice',
      passwordHash: 'replace-with-the-output-of-jottadav-hash-password',
      account: 'default',
      ...USER_DEFAULTS,
    },
  ];
  return out;
}

export function configTableMarkdown(): string {
  const rows = ['| Option | Default | Environment variable | Flag | Meaning |', '| --- | --- | --- | --- | --- |'];
  for (const group of optionGroups()) {
    // A heading row per group: the same groups as every command's --help.
    rows.push(`| **${group.heading}** | | | | |`);
    for (const o of group.options) {
      const flags = [flagNameOf(o.path), ...(o.aliases ?? [])].filter((f, i, all) => all.indexOf(f) === i).map((f) => `\`--${f}\``).join(' ');
      rows.push(`| \`${o.path}\` | ${describeDefault(o)} | \`${envNameOf(o.path)}\` | ${flags} | ${o.doc.replace(/\|/g, '\\|')} |`);
    }
  }
  rows.push('| **Users and accounts** | | | | |');
  rows.push(`| \`users\` | [] | \`${USERS_ENV}\` (JSON) | — | WebDAV users, see below. |`);
  rows.push(`| \`accounts\` | {} | \`${ACCOUNTS_ENV}\` (JSON) | — | Jottacloud accounts by name, see below. |`);
  const fields = (title: string, list: typeof USER_FIELDS) =>
    [`| ${title} field | Default | Meaning |`, '| --- | --- | --- |', ...list.map((f) => `| \`${f.name}\` | ${f.required ? 'required' : typeof f.default === 'object' ? '{}' : String(f.default)} | ${f.doc} |`)].join('\n');
  return `${rows.join('\n')}\n\n${fields('`users[]`', USER_FIELDS)}\n\n${fields('`accounts.<name>`', ACCOUNT_FIELDS)}\n`;
}
