/**
 * The cost of the name codec per name (every request encodes its path, every listing decodes its
 * names), against the NFC normalisation the resolver already does on each name in the same run.
 * Plain names take the fast path; hostile ones (reserved characters, look-alikes) the full one.
 */
import { JOTTACLOUD_DEFAULT_ENCODING } from '../../lib/util/encoding-flags.js';
import { NameCodec } from '../../lib/vfs/name-codec.js';
import type { BenchResult } from './types.js';

const COUNT = 10_000;
const ROUNDS = 30;

/** Nanoseconds per name, the best of three timed runs after a warm-up. */
function nsPerName(fn: (name: string) => string, names: readonly string[]): number {
  let sink = 0;
  for (const n of names) sink += fn(n).length;
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    for (let r = 0; r < ROUNDS; r++) for (const n of names) sink += fn(n).length;
    best = Math.min(best, Number(process.hrtime.bigint() - start) / (ROUNDS * names.length));
  }
  if (sink < 0) throw new Error('unreachable');
  return best;
}

export async function run(): Promise<BenchResult[]> {
  const codec = NameCodec.of(JOTTACLOUD_DEFAULT_ENCODING);
  const plain = Array.from({ length: COUNT }, (_, i) => `IMG_${i}.jpg`);
  const hostile = Array.from({ length: COUNT }, (_, i) => `report ${i}: draft? "v2" 100% ＊.txt`);
  const results: BenchResult[] = [];
  for (const [label, names] of [['plain', plain], ['hostile', hostile]] as const) {
    const stored = names.map((n) => codec.encode(n));
    const nfc = nsPerName((n) => n.normalize('NFC'), names);
    for (const [op, fn, input] of [
      ['encode', (n: string) => codec.encode(n), names],
      ['decode', (n: string) => codec.decode(n), stored],
    ] as const) {
      const value = nsPerName(fn, input);
      results.push({ name: `name codec: ${op} a ${label} name`, value, unit: 'ns', baseline: nfc, ratio: value / nfc, note: 'baseline: NFC normalisation of the same name' });
    }
  }
  return results;
}
