/**
 * `npm run bench:hostile [-- --count N --seed S --concurrency C]`: a seeded hostile suite of
 * 10,000 requests against the whole stack (emulator + jottadav, in this process). Prints the
 * answers by status, and fails (exit 1) on any crash, any request left unanswered where an answer
 * was due, and any 5xx but a 502 for a Destination on another host. The same seed sends the same
 * requests, so a failure replays; spec/e2e/hostile-suite.spec.ts runs a short version in CI.
 */
import { runHostileSuite } from '../support/hostile-run.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} wants a positive integer`);
  return value;
}

const seed = option('seed', 4918);
const count = option('count', 10_000);
const concurrency = option('concurrency', 8);
const report = await runHostileSuite({ seed, count, concurrency });
const statuses = Object.entries(report.byStatus)
  .sort(([a], [b]) => Number(a) - Number(b))
  .map(([status, n]) => `${status === '0' ? 'no answer' : status}: ${n}`)
  .join(', ');
console.log(`hostile suite: seed ${report.seed}, ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s (concurrency ${concurrency})`);
console.log(`answers: ${statuses}`);
console.log(`crashes: ${report.crashes.length}`);
console.log(`failures (5xx other than 502 for a foreign Destination, or no answer where one was due): ${report.failures.length}`);
for (const line of [...report.crashes, ...report.failures.slice(0, 20), ...report.serverErrors.slice(0, 20)]) console.log(`  ${line}`);
console.log(`afterwards: /_health ${report.healthAfter}, PROPFIND of the root ${report.sandboxAfter}`);
const ok = report.crashes.length === 0 && report.failures.length === 0 && report.healthAfter === 200 && report.sandboxAfter === 207;
console.log(ok ? 'result: 0 crashes, no forbidden 5xx' : 'result: FAILED');
process.exitCode = ok ? 0 : 1;
