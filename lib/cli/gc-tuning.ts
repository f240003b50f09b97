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
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--no-incremental-marking');
