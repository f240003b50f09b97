import { readFile, rename } from 'node:fs/promises';
import type { KeyvRecord } from './lmdb-adapter.js';

/** The JSON file an earlier jottadav kept its state in (keyv-file's format), beside the new store. */
export const OLD_FILE_STORE_NAME = 'jottadav-store.json';
/** What the old file is renamed to once its content is in the new store (kept, not deleted). */
export const MIGRATED_SUFFIX = '.migrated';

interface OldFile {
  cache?: Array<[string, { value?: unknown; expire?: number }]> | Record<string, { value?: unknown; expire?: number }>;
}

/**
 * Moves the state of an old JSON store file into the new store, once: every record that has not
 * expired is written in one transaction, then the file is renamed to `*.migrated`. A crash
 * between the two only repeats the import on the next start (the same records again).
 * Returns how many records were imported (0 when there was no old file).
 */
export async function migrateFileStore(file: string, putAll: (records: Array<[string, KeyvRecord]>) => Promise<void>, now = Date.now()): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let old: OldFile;
  try {
    old = JSON.parse(text) as OldFile;
  } catch (error) {
    throw new Error(`${file}: not a readable store file (${(error as Error).message}); move it away to start without it`);
  }
  const cache = Array.isArray(old.cache) ? old.cache : Object.entries(old.cache ?? {});
  const records: Array<[string, KeyvRecord]> = [];
  for (const [key, slot] of cache) {
    // keyv-file wraps keyv's own serialized record: {"value": <the stored JSON text>, "expires": n}.
    if (typeof slot?.value !== 'string' || (slot.expire !== undefined && slot.expire !== null && slot.expire <= now)) continue;
    const record = JSON.parse(slot.value) as KeyvRecord;
    if (typeof record.expires === 'number' && record.expires <= now) continue;
    records.push([key, record.expires ? { value: record.value, expires: record.expires } : { value: record.value }]);
  }
  if (records.length > 0) await putAll(records);
  await rename(file, file + MIGRATED_SUFFIX);
  return records.length;
}
