#!/usr/bin/env node
// First: GC tuning must be in place before the server allocates (see the module).
import '../lib/cli/gc-tuning.js';
import { main } from '../lib/cli/index.js';

// The only place that sets the exit code: everything below returns it.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`jottadav: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
