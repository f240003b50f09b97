/**
 * The Debian programs some specs drive (litmus, rclone, chromium): found on the PATH or in the
 * usual bin folders. A spec that needs one fails under CI when it is missing (CI installs it) and
 * is marked pending with the reason elsewhere, never passed silently.
 */
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The first executable among `names` (absolute paths, or names looked up on the PATH). */
export function findBinary(...names: string[]): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'].filter((d) => d !== '');
  for (const name of names) {
    for (const candidate of isAbsolute(name) ? [name] : dirs.map((d) => join(d, name))) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The binary's path; a missing one fails the spec under CI and makes it pending elsewhere. */
export function requireBinary(ctx: Mocha.Context, found: string | undefined, debianPackage: string, what = `the ${debianPackage} binary`): string {
  if (found) return found;
  if (process.env.CI) assert.fail(`${debianPackage} is not installed, and CI must run it (apt-get install ${debianPackage})`);
  console.warn(`    pending: ${what} is not installed (Debian package "${debianPackage}")`);
  ctx.skip();
}
