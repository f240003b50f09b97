/**
 * Turns one raw value (from JSON, an env var or a flag: env and flags are always strings) into
 * the typed value its option kind wants, or says precisely why it cannot.
 */
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ENCODING_FLAGS, ENCODING_WORDS, parseEncoding } from '../util/encoding-flags.js';
import { didYouMean } from './suggest.js';
import { parseDuration, parseSize } from './units.js';
import type { OptionKind } from './options.js';

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string; hint: string };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const bad = (message: string, hint: string): Coerced => ({ ok: false, message, hint });

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `~/x` → home, relative → against `baseDir` (the config file's folder, or the cwd). */
export function resolvePath(value: string, baseDir: string): string {
  if (value === '~' || value.startsWith('~/')) return resolve(homedir(), value.slice(2));
  return isAbsolute(value) ? value : resolve(baseDir, value);
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function coerce(kind: OptionKind, raw: unknown, baseDir: string, values?: readonly string[]): Coerced {
  switch (kind) {
    case 'string':
      if (typeof raw === 'string' && raw.trim() !== '') return ok(raw);
      return bad(`must be a non-empty string, got ${show(raw)}`, 'write the value in double quotes');
    case 'nullable-string':
      if (raw === null || raw === '' || raw === 'null') return ok(null);
      return typeof raw === 'string' ? ok(raw) : bad(`must be a string or null, got ${show(raw)}`, 'write the value in double quotes');
    case 'path':
    case 'nullable-path':
      if (kind === 'nullable-path' && (raw === null || raw === '' || raw === 'null')) return ok(null);
      if (typeof raw === 'string' && raw.trim() !== '') return ok(resolvePath(raw, baseDir));
      return bad(`must be a file system path, got ${show(raw)}`, 'relative paths are taken from the config file\u2019s folder');
    case 'url-path':
    case 'nullable-url-path': {
      if (kind === 'nullable-url-path' && (raw === null || raw === '' || raw === 'null')) return ok(null);
      if (typeof raw !== 'string' || !raw.startsWith('/')) {
        return bad(`must be a URL path starting with '/', got ${show(raw)}`, "for example '/' or '/dav'");
      }
      if (/[?#\\\s]|%2f/i.test(raw) || raw.split('/').some((s) => s === '..' || s === '.')) {
        return bad(`must be a plain URL path without '.', '..', '?', '#', '\\', spaces or encoded slashes, got ${show(raw)}`, "for example '/dav'");
      }
      return ok(raw.length > 1 ? raw.replace(/\/+$/, '') || '/' : raw);
    }
    case 'bool':
      if (typeof raw === 'boolean') return ok(raw);
      if (typeof raw === 'string' && TRUE.has(raw.toLowerCase())) return ok(true);
      if (typeof raw === 'string' && FALSE.has(raw.toLowerCase())) return ok(false);
      return bad(`must be true or false, got ${show(raw)}`, 'env vars and flags also accept 1/0, yes/no, on/off');
    case 'port': {
      const n = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535) return ok(n);
      return bad(`must be an integer from 0 to 65535, got ${show(raw)}`, 'ports below 1024 need privileges; 0 picks a free port');
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms !== undefined) return ok(ms);
      return bad(`must be a duration, got ${show(raw)}`, "a number of milliseconds or a string such as '500ms', '30s', '5m', '1h', '1h30m', '7d'");
    }
    case 'size': {
      const bytes = parseSize(raw);
      if (bytes !== undefined) return ok(bytes);
      return bad(`must be a size, got ${show(raw)}`, "a number of bytes or a string such as '512K', '10M' (MiB), '1G'");
    }
    case 'enum':
      if (typeof raw === 'string' && values?.includes(raw)) return ok(raw);
      return bad(`must be one of ${(values ?? []).join(', ')}, got ${show(raw)}`, typeof raw === 'string' ? didYouMean(raw, values ?? []) : `one of ${(values ?? []).join(', ')}`);
    case 'list': {
      let list: unknown = raw;
      if (typeof raw === 'string') {
        // Env vars and flags: a JSON array, or comma-separated names.
        if (raw.trim().startsWith('[')) {
          try {
            list = JSON.parse(raw);
          } catch {
            return bad(`is not a valid JSON array: ${show(raw)}`, 'or give the names separated by commas');
          }
        } else {
          list = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
        }
      }
      if (Array.isArray(list) && list.every((s) => typeof s === 'string' && s !== '')) return ok([...list]);
      return bad(`must be a list of non-empty strings, got ${show(raw)}`, 'for example ["._*", ".DS_Store"]');
    }
    case 'encoding': {
      if (typeof raw !== 'string') return bad(`must be a comma list of encoding flags, got ${show(raw)}`, 'for example "Slash,Colon,Dot", or "None"');
      const parsed = parseEncoding(raw);
      if (parsed.ok) return ok(ENCODING_FLAGS.filter((f) => parsed.flags.has(f)).join(',') || 'None');
      const word = parsed.unknown[0] as string;
      return bad(
        `unknown encoding flag${parsed.unknown.length > 1 ? 's' : ''} ${parsed.unknown.map((w) => `'${w}'`).join(', ')}`,
        word === '' ? 'an empty list is not allowed; use None for no flag' : didYouMean(word, ENCODING_WORDS, `known: ${ENCODING_WORDS.join(', ')}`),
      );
    }
    case 'store': {
      if (raw === 'memory' || raw === 'file') return ok(raw);
      if (typeof raw === 'string' && /^rediss?:\/\//.test(raw)) {
        try {
          new URL(raw);
          return ok(raw);
        } catch {
          return bad(`is not a valid redis URL: ${show(raw)}`, 'for example redis://127.0.0.1:6379/0');
        }
      }
      return bad(
        `must be memory, file or a redis:// URL, got ${show(raw)}`,
        typeof raw === 'string' && !raw.includes(':') ? didYouMean(raw, ['memory', 'file']) : 'for example redis://127.0.0.1:6379/0',
      );
    }
    default: {
      const never: never = kind;
      return bad(`unknown option kind ${String(never)}`, '');
    }
  }
}
