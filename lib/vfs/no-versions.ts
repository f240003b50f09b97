import { randomBytes } from 'node:crypto';
import type { RemoteEntry, StorageBackend, UploadBody } from '../storage/backend.js';
import { isStorageError, StorageError } from '../storage/errors.js';
import { joinPath } from '../util/paths.js';

/**
 * Overwrites without a revision (`uploads.noVersions`). Jottacloud keeps the old content of a
 * file that is uploaded again as a revision, and revisions count against some accounts' quota.
 * Deleting the old file first would lose it if the upload then failed, so the new content goes
 * next to it under a swap name, and the old file is only deleted once the service holds the new
 * one whole:
 *
 *   1. upload to `.jottadav-swap-<id>~<stored name>` in the same folder ("uploaded");
 *   2. rename it to `.jottadav-swap-<id>=<stored name>` ("committing");
 *   3. delete the old file permanently (no revision, no trash entry stays);
 *   4. move the swap file to the old name.
 *
 * A failure in 1–3 leaves the old file as it was; the swap file is deleted (or, after a crash,
 * left hidden until it is stale). A crash or a failure between 3 and 4 leaves the newest content
 * under the committing name only: whoever lists the folder next moves it into place
 * (recoverSwaps). Swap names are never shown to clients and a client cannot create one. A swap
 * file whose target exists, or one that never got to "committing", belongs to a PUT that did not
 * succeed: once older than SWAP_STALE_MS (younger ones may be a swap in progress) it is deleted.
 * Two stages, so that a client deleting a file cannot see it come back from an unfinished swap.
 */

const SWAP_PREFIX = '.jottadav-swap-';
const SWAP_NAME = /^\.jottadav-swap-([0-9a-z]+)([~=])(.+)$/s;
const UPLOADED = '~';
const COMMITTING = '=';

/** A swap file this old belongs to no swap in progress (steps 2–4 take seconds). */
export const SWAP_STALE_MS = 10 * 60_000;

interface SwapName {
  id: string;
  stage: typeof UPLOADED | typeof COMMITTING;
  target: string;
}

/** The parts of a swap file's stored name, or undefined for any other name. */
export function parseSwapName(storedName: string): SwapName | undefined {
  if (!storedName.startsWith(SWAP_PREFIX)) return undefined;
  const m = SWAP_NAME.exec(storedName);
  return m ? { id: m[1]!, stage: m[2] as SwapName['stage'], target: m[3]! } : undefined;
}

/** true for the stored names swaps use (hidden from clients, refused as client names). */
export function isSwapName(storedName: string): boolean {
  return parseSwapName(storedName) !== undefined;
}

const swapName = (id: string, stage: SwapName['stage'], target: string): string => `${SWAP_PREFIX}${id}${stage}${target}`;

/**
 * Uploads `body` as the new content of the existing file `storedName` in `folder` (remote paths),
 * leaving no revision of the old content. A name too long to carry the swap prefix is overwritten
 * the ordinary way (the old content stays as a revision) rather than risked.
 */
export async function replaceWithoutRevision(backend: StorageBackend, folder: string, storedName: string, body: UploadBody): Promise<RemoteEntry> {
  const target = joinPath(folder, storedName);
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const uploadedPath = joinPath(folder, swapName(id, UPLOADED, storedName));
  const committingPath = joinPath(folder, swapName(id, COMMITTING, storedName));
  if (swapName(id, COMMITTING, storedName).length > backend.features.maxNameLength) return backend.upload(target, body);
  let swap = uploadedPath;
  const dropSwap = () => backend.remove(swap, 'file', { hard: true }).catch(() => undefined);
  let uploaded: RemoteEntry;
  try {
    uploaded = await backend.upload(uploadedPath, body);
    await backend.move(uploadedPath, committingPath, 'file');
    swap = committingPath;
    await backend.remove(target, 'file', { hard: true }).catch((error: unknown) => {
      // Gone already (deleted meanwhile): the swap file simply takes the name.
      if (!isStorageError(error, 'NOT_FOUND')) throw error;
    });
  } catch (error) {
    // An unfinished upload may have left an incomplete file (never listed); remove it if we can.
    await dropSwap();
    throw error;
  }
  try {
    await backend.move(committingPath, target, 'file');
  } catch (error) {
    // Someone listing the folder may have finished the swap already (recoverSwaps).
    if (!(isStorageError(error, 'NOT_FOUND') && (await holds(backend, target, uploaded.md5)))) {
      throw new StorageError('UNAVAILABLE', `the new content of ${target} waits under a swap name; the next listing of the folder moves it into place`, { cause: error });
    }
  }
  return { ...uploaded, name: storedName };
}

async function holds(backend: StorageBackend, path: string, md5: string | undefined): Promise<boolean> {
  try {
    return (await backend.stat(path)).md5 === md5;
  } catch {
    return false;
  }
}

/**
 * Finishes or clears the swaps a folder listing shows (see the module comment). Returns true when
 * it changed the folder, so the caller re-lists it.
 */
export async function recoverSwaps(backend: StorageBackend, folder: string, listing: readonly RemoteEntry[], now = Date.now()): Promise<boolean> {
  const present = new Set(listing.filter((e) => !isSwapName(e.name)).map((e) => e.name.toLowerCase()));
  let changed = false;
  for (const entry of listing) {
    const swap = parseSwapName(entry.name);
    if (swap === undefined || entry.kind !== 'file') continue;
    const path = joinPath(folder, entry.name);
    const stale = now - (entry.updated ?? entry.modified ?? new Date(now)).getTime() > SWAP_STALE_MS;
    try {
      if (swap.stage === COMMITTING && !present.has(swap.target.toLowerCase())) {
        await backend.move(path, joinPath(folder, swap.target), 'file');
        present.add(swap.target.toLowerCase());
        changed = true;
      } else if (stale) {
        await backend.remove(path, 'file', { hard: true });
        changed = true;
      }
    } catch {
      // The writer finished it meanwhile, or the service is away: the next listing tries again.
    }
  }
  return changed;
}
