/**
 * The options in groups, for the README table and every command's --help: one grouping, so that
 * a reader finds an option under the same heading in both. Options keep the registry's order
 * within a group; a group appears where its first option does.
 */
import { OPTIONS, type OptionSpec } from './options.js';

/** Heading by the first segment of an option's path; top-level options that belong together share one. */
const HEADINGS: Readonly<Record<string, string>> = {
  server: 'Server',
  anonymous: 'Anonymous access',
  store: 'Shared state',
  dataDir: 'Shared state',
  cache: 'Caches',
  uploads: 'Uploads',
  names: 'Names',
  hardDelete: 'Trash',
  trashedOnly: 'Trash',
  localOnly: 'Local-only files',
  placeholders: 'Placeholders',
  locks: 'Locks',
  log: 'Logging',
  metrics: 'Metrics',
  shutdown: 'Shutdown',
};

export interface OptionGroup {
  heading: string;
  options: OptionSpec[];
}

export function headingOf(option: OptionSpec): string {
  const top = option.path.split('.')[0] as string;
  // An option added without a heading here still shows, under its own name.
  return HEADINGS[top] ?? top.charAt(0).toUpperCase() + top.slice(1);
}

export function optionGroups(filter: (option: OptionSpec) => boolean = () => true): OptionGroup[] {
  const groups = new Map<string, OptionGroup>();
  for (const option of OPTIONS.filter(filter)) {
    const heading = headingOf(option);
    let group = groups.get(heading);
    if (!group) {
      group = { heading, options: [] };
      groups.set(heading, group);
    }
    group.options.push(option);
  }
  return [...groups.values()];
}
