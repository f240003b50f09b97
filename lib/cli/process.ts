/** Small process-level helpers shared by the long-running subcommands. */
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Resolves with the first SIGINT or SIGTERM. Later ones are noted and ignored, never left to
 * Node's default (immediate death): Ctrl+C under `npm start` arrives twice (the terminal signals
 * the process group and npm forwards it), and a supervisor may repeat its SIGTERM. The shutdown
 * is bounded by its grace anyway; SIGKILL remains for the impatient.
 */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | undefined;
    const stop = (signal: NodeJS.Signals) => {
      if (first === undefined) {
        first = signal;
        resolve(signal);
        return;
      }
      process.stderr.write(`jottadav: already stopping (${signal} ignored); waiting for uploads in flight, bounded by the shutdown grace\n`);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Writes JSON through a temp file and a rename, so a watcher never reads half a file. */
export function writeJsonAtomically(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}
