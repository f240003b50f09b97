/**
 * The option part of a command's --help, generated from the option registry: grouped as the
 * README table is, each flag with its value, default and environment variable, then its meaning.
 */
import { optionGroups } from './groups.js';
import { describeDefault, envNameOf, flagNameOf, type OptionKind, type OptionSpec } from './options.js';

const VALUE_NAMES: Record<OptionKind, string> = {
  string: 'TEXT',
  'nullable-string': 'TEXT',
  path: 'PATH',
  'nullable-path': 'PATH',
  'url-path': 'URLPATH',
  'nullable-url-path': 'URLPATH',
  bool: '',
  port: 'PORT',
  duration: 'DURATION',
  size: 'SIZE',
  enum: '',
  list: 'LIST',
  store: 'STORE',
  encoding: 'FLAGS',
};

const WIDTH = 100;

function valueName(option: OptionSpec): string {
  if (option.kind === 'enum') return (option.values ?? []).join('|');
  return VALUE_NAMES[option.kind];
}

/** Short aliases first (`--port`), then the full name (`--server-port`); booleans show their --no- form. */
export function flagsOf(option: OptionSpec): string[] {
  const names = [...(option.aliases ?? []), flagNameOf(option.path)].filter((f, i, all) => all.indexOf(f) === i);
  return names.map((n) => (option.kind === 'bool' ? `--[no-]${n}` : `--${n}`));
}

function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

/** Every option `filter` keeps, grouped; each as `--flag VALUE  (default …, env …)` and its doc below. */
export function optionsHelp(filter?: (option: OptionSpec) => boolean): string {
  return optionGroups(filter)
    .map((group) => {
      const entries = group.options.map((option) => {
        const value = valueName(option);
        const head = `  ${flagsOf(option).join(', ')}${value ? ` ${value}` : ''}`;
        return `${head}  (default ${describeDefault(option).replace(/`/g, '')}; env ${envNameOf(option.path)})\n${wrap(option.doc, '      ')}`;
      });
      return `${group.heading}:\n${entries.join('\n')}`;
    })
    .join('\n\n');
}
