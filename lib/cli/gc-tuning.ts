/**
 * V8 tuning for a process that streams bytes, imported first by bin/jottadav.ts.
 *
 * Every chunk read from a socket is a fresh 64 KiB ArrayBuffer that V8 counts as external memory.
 * With incremental marking on, each few MiB of that growth starts a concurrent mark-compact cycle,
 * dozens per GiB passed through; the bridge bench measured a GET of 1 GiB at ~1.5 CPU-seconds
 * in the bridge, a third of it in GC, and the marker threads took the second core from the
 * processes on either side. Without incremental marking the same pressure is met by scavenges
 * (the chunks die young), and the same GET costs ~0.6 CPU-seconds. The price: a full
 * mark-compact is one pause instead of many steps, and the heap grows further before it; with
 * two cached 10,000-entry listings the bench saw the bridge's RSS peak at 250-385 MiB, against
 * 237-296 MiB with incremental marking.
 *
 * V8 reads this flag each time it decides whether to start marking, so setting it at startup,
 * before the server allocates, takes effect.
 *
 * The young generation is capped at YOUNG_GENERATION_CAP. V8 doubles it (up to 32 MiB on 64-bit)
 * whenever much survives a scavenge, and a server that holds requests in flight always has
 * survivors; the memory stays resident once touched. 1,000 sequential small PUTs took the
 * bridge from 78 to 149 MiB RSS with the default, to 102-116 MiB with the cap, at no CPU cost the
 * bench could tell apart from noise (a 1 GiB GET: ~0.1 CPU-s more, within run-to-run spread).
 * `--max-semi-space-size` would say this, but V8 reads it only when the heap is made, before any
 * JavaScript runs; the growth factor it reads at each growth, so the cap is set by freezing
 * growth (factor 1) once the young generation has reached the cap. V8 puts the factor back to 2
 * whenever it makes an isolate (the hash worker's thread, for one), so it is frozen again after
 * every GC that finds the young generation at or past the cap: one doubling may slip in after a
 * worker starts, no more.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-incremental-marking');

/** Both semi-spaces together: 2 MiB each, twice the size V8 starts with. */
const YOUNG_GENERATION_CAP = 4 * 1024 * 1024;

function youngGenerationSize(): number {
  return getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
}

// A growth can only happen in a GC, so checking after each one catches the size as it reaches the cap.
new PerformanceObserver(() => {
  if (youngGenerationSize() >= YOUNG_GENERATION_CAP) setFlagsFromString('--semi-space-growth-factor=1');
}).observe({ entryTypes: ['gc'] });
