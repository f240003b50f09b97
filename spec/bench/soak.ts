/**
 * `npm run bench:soak [-- --operations N --rate R --seed S --workers W]`: the fault soak
 * (spec/support/soak.ts) at full size. Prints the tally; exits 1 when a file was lost or
 * corrupted, or when more than 0.2% of the operations saw an error.
 */
import { parseArgs } from 'node:util';
import { runSoak, SOAK_DEFAULTS } from '../support/soak.js';

const { values } = parseArgs({
  options: {
    operations: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    workers: { type: 'string' },
  },
});
const number = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value));
const options = {
  operations: number(values.operations, SOAK_DEFAULTS.operations),
  faultRate: number(values.rate, SOAK_DEFAULTS.faultRate),
  seed: number(values.seed, SOAK_DEFAULTS.seed),
  workers: number(values.workers, SOAK_DEFAULTS.workers),
};
console.error(`fault soak: ${options.operations} operations, ${options.faultRate * 100}% upstream faults, seed ${options.seed}, ${options.workers} clients`);
const result = await runSoak(options, (line) => console.error(`  ${line}`));
const errorShare = result.errors / result.operations;
console.log(
  [
    `operations        ${result.operations}`,
    `upstream requests ${result.upstreamRequests}`,
    `faults injected   ${result.faultsInjected} (${((100 * result.faultsInjected) / Math.max(1, result.upstreamRequests)).toFixed(2)}% of upstream requests)`,
    `client errors     ${result.errors} (${(100 * errorShare).toFixed(3)}%, limit 0.2%) ${JSON.stringify(result.errorsByKind)}`,
    `lost              ${result.lost}`,
    `corrupted         ${result.corrupted}`,
    `unexpected        ${result.unexpected}`,
    `elapsed           ${(result.elapsedMs / 1000).toFixed(1)} s`,
    ...result.samples.map((s) => `  ${s}`),
  ].join('\n'),
);
process.exitCode = result.lost === 0 && result.corrupted === 0 && result.unexpected === 0 && errorShare <= 0.002 ? 0 : 1;
