/**
 * `npm run bench`: runs every spec/bench/*.bench.ts in turn and prints one table. Benchmarks
 * print ratios against a baseline measured in the same run, never absolute pass/fail timings:
 * these machines are shared and noisy. `npm run bench -- NAME…` runs only matching files.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

async function main(filters: string[]): Promise<number> {
  const files = (await readdir(here))
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
    .sort();
  const rows: Array<BenchResult & { file: string }> = [];
  let failures = 0;
  for (const file of files) {
    console.error(`# ${file}`);
    try {
      const mod = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
      for (const result of await mod.run()) rows.push({ ...result, file });
    } catch (error) {
      failures++;
      console.error(`  failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
  console.log('\nbenchmark | value | baseline | ratio | target | note');
  console.log('--- | --- | --- | --- | --- | ---');
  for (const r of rows) {
    const baseline = r.baseline === undefined ? '' : `${format(r.baseline)} ${r.unit}`;
    const ratio = r.ratio === undefined ? '' : format(r.ratio);
    console.log(`${r.name} | ${format(r.value)} ${r.unit} | ${baseline} | ${ratio} | ${r.target ?? ''} | ${r.note ?? ''}`);
  }
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
