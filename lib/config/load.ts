/**
 * loadConfig: defaults ← config file ← environment (JOTTADAV_…) ← command-line flags, then
 * validateConfig over the merged values. The only place in jottadav that reads process.env or
 * a config file.
 *
 * Env mapping: the option's dotted path in upper snake case after JOTTADAV_, e.g.
 * server.port → JOTTADAV_SERVER_PORT, uploads.md5MemoryLimit → JOTTADAV_UPLOADS_MD5_MEMORY_LIMIT,
 * store → JOTTADAV_STORE. Lists take commas or a JSON array. JOTTADAV_USERS and
 * JOTTADAV_ACCOUNTS take JSON (they replace the file's lists). JOTTADAV_CONFIG names the file.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OPTIONS, envNameOf, flagNameOf, type OptionSpec } from './options.js';
import { didYouMean } from './suggest.js';
import { validateConfig } from './validate.js';
import type { ConfigProblem, JottadavConfig } from './types.js';

export const CONFIG_ENV = 'JOTTADAV_CONFIG';
export const USERS_ENV = 'JOTTADAV_USERS';
export const ACCOUNTS_ENV = 'JOTTADAV_ACCOUNTS';

export interface LoadOptions {
  /** Config file; else --config in `argv`/`flags`, else $JOTTADAV_CONFIG, else none. */
  file?: string;
  /** Raw command-line arguments holding config flags only (see CONFIG_FLAG_OPTIONS). */
  argv?: string[];
  /** Already-parsed flag values (from parseArgs with CONFIG_FLAG_OPTIONS merged into yours). */
  flags?: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Environment; default process.env. Pass {} to ignore it. */
  env?: Record<string, string | undefined>;
  /** Base for relative paths when there is no file; default the cwd. */
  cwd?: string;
  checkFiles?: boolean;
  /** Known service keys, for the `service` check. */
  services?: readonly string[];
}

export interface LoadedConfig {
  config: JottadavConfig;
  problems: ConfigProblem[];
  /** Absolute path of the file read, or null. */
  file: string | null;
  /** Dotted path → where its value came from. */
  sources: Map<string, string>;
}

type Obj = Record<string, unknown>;
type FlagOption = { type: 'string' | 'boolean'; multiple?: boolean };

interface FlagEntry {
  option: OptionSpec;
  negate: boolean;
}

/** Flag name → option, for every option's derived name and its aliases (and `no-` for booleans). */
const FLAG_TABLE: ReadonlyMap<string, FlagEntry> = (() => {
  const table = new Map<string, FlagEntry>();
  for (const option of OPTIONS) {
    for (const name of [flagNameOf(option.path), ...(option.aliases ?? [])]) {
      table.set(name, { option, negate: false });
      if (option.kind === 'bool') table.set(`no-${name}`, { option, negate: true });
    }
  }
  return table;
})();

/** parseArgs options for every config flag plus --config; merge them into a command's own. */
export const CONFIG_FLAG_OPTIONS: Record<string, FlagOption> = (() => {
  const out: Record<string, FlagOption> = { config: { type: 'string' } };
  for (const [name, entry] of FLAG_TABLE) out[name] = { type: entry.option.kind === 'bool' ? 'boolean' : 'string' };
  return out;
})();

/** parseArgs options for the config flags of the options `keep` selects (a command taking only some). */
export function configFlagOptionsFor(keep: (option: OptionSpec) => boolean): Record<string, FlagOption> {
  const out: Record<string, FlagOption> = {};
  for (const [name, entry] of FLAG_TABLE) if (keep(entry.option)) out[name] = { type: entry.option.kind === 'bool' ? 'boolean' : 'string' };
  return out;
}

/** Parsed config flag values as a raw config object (`--port 1` → `{ server: { port: '1' } }`), unvalidated. */
export function rawConfigFromFlags(flags: NonNullable<LoadOptions['flags']>): Obj {
  return flagLayer(flags, new Map());
}

/**
 * Where `jottadav login` writes and the account commands look when no --config is given:
 * $JOTTADAV_CONFIG, else $XDG_CONFIG_HOME/jottadav/config.json (~/.config/jottadav/config.json).
 */
export function defaultConfigFile(env: Record<string, string | undefined> = process.env): string {
  const named = nonEmpty(env[CONFIG_ENV]);
  if (named !== undefined) return resolve(named);
  const base = nonEmpty(env.XDG_CONFIG_HOME) ?? join(nonEmpty(env.HOME) ?? homedir(), '.config');
  return join(base, 'jottadav', 'config.json');
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const sources = new Map<string, string>();

  let flags = options.flags ?? {};
  if (options.argv) flags = { ...flags, ...parseConfigArgv(options.argv, problems) };

  const fileOption = options.file ?? (typeof flags.config === 'string' ? flags.config : undefined) ?? nonEmpty(env[CONFIG_ENV]);
  const cwd = options.cwd ?? process.cwd();
  const file = fileOption !== undefined ? resolve(cwd, fileOption) : null;
  let merged: Obj = {};
  if (file !== null) {
    const layer = readConfigFile(file, problems);
    merge(merged, layer, `config file ${file}`, sources, '');
  }
  merge(merged, envLayer(env, problems, sources), undefined, sources, '');
  merged = merge(merged, flagLayer(flags, sources), undefined, sources, '');

  const validated = validateConfig(merged, {
    baseDir: file !== null ? dirname(file) : cwd,
    sources,
    ...(options.checkFiles !== undefined ? { checkFiles: options.checkFiles } : {}),
    ...(options.services ? { services: options.services } : {}),
  });
  return { config: validated.config, problems: [...problems, ...validated.problems], file, sources };
}

/** Reads and parses a JSON config file; a problem (with line and column) instead of a throw. */
export function readConfigFile(file: string, problems: ConfigProblem[]): Obj {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({
      severity: 'error',
      path: '(file)',
      message: code === 'ENOENT' ? `config file ${file} does not exist` : `config file ${file} cannot be read (${code ?? String(error)})`,
      hint: code === 'ENOENT' ? 'run `jottadav login --config FILE` to create one, or copy config.example.json' : 'check its permissions',
    });
    return {};
  }
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Obj;
    problems.push({ severity: 'error', path: '(file)', message: `config file ${file} does not hold a JSON object`, hint: 'the file must start with { and end with }' });
  } catch (error) {
    problems.push({ severity: 'error', path: '(file)', message: `config file ${file} is not valid JSON: ${locateJsonError(text, error)}`, hint: 'JSON has no comments and no trailing commas; keys and strings take double quotes' });
  }
  return {};
}

function locateJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const m = message.match(/position (\d+)/);
  if (!m) return message;
  const position = Number(m[1]);
  const before = text.slice(0, position).split('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${before.length}, column ${(before[before.length - 1] as string).length + 1}`;
}

function envLayer(env: Record<string, string | undefined>, problems: ConfigProblem[], sources: Map<string, string>): Obj {
  const layer: Obj = {};
  const byName = new Map(OPTIONS.map((o) => [envNameOf(o.path), o]));
  const known = [...byName.keys(), CONFIG_ENV, USERS_ENV, ACCOUNTS_ENV];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('JOTTADAV_') || value === undefined || name === CONFIG_ENV) continue;
    if (name === USERS_ENV || name === ACCOUNTS_ENV) {
      const key = name === USERS_ENV ? 'users' : 'accounts';
      try {
        layer[key] = JSON.parse(value);
        for (const path of [...sources.keys()]) if (path.startsWith(`${key}.`) || path.startsWith(`${key}[`)) sources.delete(path);
        sources.set(key, `env ${name}`);
      } catch {
        problems.push({ severity: 'error', path: key, message: `${name} is not valid JSON`, hint: key === 'users' ? `${name}='[{"name":"alice","passwordHash":"scrypt$…"}]'` : `${name}='{"default":{"tokenFile":"/path/token.json"}}'`, source: `env ${name}` });
      }
      continue;
    }
    const option = byName.get(name);
    if (!option) {
      // A warning, not an error: other tools (and tests) may own JOTTADAV_* names too.
      problems.push({ severity: 'warning', path: 'env', message: `unknown environment variable ${name}`, hint: didYouMean(name, known), source: `env ${name}` });
      continue;
    }
    setPath(layer, option.path, value);
    sources.set(option.path, `env ${name}`);
  }
  return layer;
}

function flagLayer(flags: NonNullable<LoadOptions['flags']>, sources: Map<string, string>): Obj {
  const layer: Obj = {};
  for (const [name, raw] of Object.entries(flags)) {
    const entry = FLAG_TABLE.get(name);
    if (!entry || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    setPath(layer, entry.option.path, entry.negate ? value !== true : value);
    sources.set(entry.option.path, `flag --${name}`);
  }
  return layer;
}

/**
 * Parses config flags leniently so that one bad flag does not hide the others: every unknown
 * flag, missing value and stray argument becomes a problem of its own.
 */
function parseConfigArgv(argv: string[], problems: ConfigProblem[]): NonNullable<LoadOptions['flags']> {
  const flags: NonNullable<LoadOptions['flags']> = {};
  const { tokens } = parseArgs({ args: argv, options: CONFIG_FLAG_OPTIONS as ParseArgsConfig['options'], strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      problems.push({ severity: 'error', path: 'flags', message: `unexpected argument '${token.value}'`, hint: 'config flags look like --port 8080 or --port=8080', source: 'flags' });
      continue;
    }
    if (token.kind !== 'option') continue;
    const known = CONFIG_FLAG_OPTIONS[token.name];
    if (!known) {
      problems.push({ severity: 'error', path: 'flags', message: `unknown flag ${token.rawName}`, hint: didYouMean(token.name, Object.keys(CONFIG_FLAG_OPTIONS), 'see --help for the flags').replace(/'([^']+)'\?$/, "'--$1'?"), source: `flag ${token.rawName}` });
    } else if (known.type === 'string' && token.value === undefined) {
      problems.push({ severity: 'error', path: 'flags', message: `flag ${token.rawName} needs a value`, hint: `${token.rawName} VALUE or ${token.rawName}=VALUE`, source: `flag ${token.rawName}` });
    } else if (known.type === 'boolean' && token.value !== undefined) {
      problems.push({ severity: 'error', path: 'flags', message: `flag ${token.rawName} takes no value`, hint: `use ${token.rawName} or --no-${token.name}`, source: `flag ${token.rawName}` });
    } else {
      flags[token.name] = token.value ?? true;
    }
  }
  return flags;
}

/** Deep merge of plain objects; arrays and scalars replace. Records leaf sources when `label` is set. */
function merge(target: Obj, layer: Obj, label: string | undefined, sources: Map<string, string>, prefix: string): Obj {
  for (const [key, value] of Object.entries(layer)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const current = target[key];
    if (label && isPlain(value)) sources.set(path, label);
    if (isPlain(value) && isPlain(current) && key !== 'accounts') {
      merge(current, value, label, sources, path);
    } else if (isPlain(value) && key !== 'accounts') {
      target[key] = merge({}, value, label, sources, path);
    } else {
      target[key] = value;
      if (label) recordLeaves(value, path, label, sources);
    }
  }
  return target;
}

function recordLeaves(value: unknown, path: string, label: string, sources: Map<string, string>): void {
  sources.set(path, label);
  if (Array.isArray(value)) value.forEach((v, i) => recordLeaves(v, `${path}[${i}]`, label, sources));
  else if (isPlain(value)) for (const [k, v] of Object.entries(value)) recordLeaves(v, `${path}.${k}`, label, sources);
}

function isPlain(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function setPath(obj: Obj, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = obj;
  for (const part of parts.slice(0, -1)) node = (isPlain(node[part]) ? node[part] : (node[part] = {})) as Obj;
  node[parts[parts.length - 1] as string] = value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
