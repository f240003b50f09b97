#!/usr/bin/env node
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
