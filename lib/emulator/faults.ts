/**
 * Fault switches: one-shot failures with the service's error shape, delays, a cut upload
 * connection, dropped connections (before the request is handled, after it was carried out, or
 * halfway through the answer's body), and a seeded random mix of all of these (chaos), plus the
 * request log. Control paths (`/_emulator/…`) are never targets and are not logged, so a test's
 * own control calls do not disturb what it counts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../util/seeded-random.js';

export interface FailRule {
  method?: string;
  path: string | RegExp;
  status: number;
  times: number;
  retryAfter?: number;
  /**
   * true: the request is carried out first and only its answer is replaced by the error (a gateway
   * that times out while the service completes the work): the client cannot tell it happened.
   */
  afterEffect?: boolean;
}

/**
 * Where a dropped connection strikes: `before` the request is handled (nothing happened),
 * `after` it was carried out (no answer arrives), or `mid-body` (half the answer's body arrives).
 */
export type DropPoint = 'before' | 'after' | 'mid-body';

export interface DropRule {
  method?: string;
  path: string | RegExp;
  times: number;
  at: DropPoint;
}

export interface ChaosOptions {
  /** Share of requests (0..1) that get a fault. */
  rate: number;
  /** The same seed gives the same sequence of faults. */
  seed: number;
}

/** What one request gets. */
export type InjectedFault =
  | { kind: 'status'; status: number; retryAfter?: number; afterEffect: boolean }
  | { kind: 'drop'; at: DropPoint }
  | { kind: 'delay'; ms: number }
  | { kind: 'cut-upload'; afterBytes: number };

/** Every fault kind chaos draws from, with the service's retryable statuses. */
const CHAOS_MENU: ReadonlyArray<(random: () => number) => InjectedFault> = [
  () => ({ kind: 'status', status: 500, afterEffect: false }),
  () => ({ kind: 'status', status: 502, afterEffect: false }),
  () => ({ kind: 'status', status: 503, retryAfter: 1, afterEffect: false }),
  () => ({ kind: 'status', status: 504, afterEffect: false }),
  () => ({ kind: 'status', status: 429, retryAfter: 0, afterEffect: false }),
  () => ({ kind: 'status', status: 509, afterEffect: false }),
  () => ({ kind: 'status', status: 500, afterEffect: true }),
  () => ({ kind: 'status', status: 504, afterEffect: true }),
  () => ({ kind: 'drop', at: 'before' }),
  () => ({ kind: 'drop', at: 'after' }),
  () => ({ kind: 'drop', at: 'mid-body' }),
  (random) => ({ kind: 'delay', ms: Math.floor(random() * 300) }),
  (random) => ({ kind: 'cut-upload', afterBytes: Math.floor(random() * 4096) }),
];


export interface RequestLogEntry {
  time: number;
  method: string;
  path: string;
  query: string;
  status: number;
  requestBytes: number;
  grantType?: string;
}

interface ActiveFail {
  method?: string;
  pattern: RegExp;
  status: number;
  remaining: number;
  retryAfter?: number;
  afterEffect: boolean;
}

interface ActiveDrop {
  method?: string;
  pattern: RegExp;
  remaining: number;
  at: DropPoint;
}

const LOG_LIMIT = 100_000;

function toPattern(path: string | RegExp): RegExp {
  return path instanceof RegExp ? path : new RegExp(path);
}

/** A rule matches the raw or the decoded path, with or without the query string. */
function matches(pattern: RegExp, candidates: string[]): boolean {
  return candidates.some((c) => {
    pattern.lastIndex = 0;
    return pattern.test(c);
  });
}

export function candidatesFor(rawPath: string, query: string): string[] {
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    /* keep the raw form */
  }
  const q = query ? `?${query}` : '';
  return [rawPath, decoded, rawPath + q, decoded + q];
}

export class Faults {
  private fails: ActiveFail[] = [];
  private drops: ActiveDrop[] = [];
  private chaosRate = 0;
  private random: () => number = Math.random;
  private injected = 0;
  private delays: { pattern: RegExp; ms: number }[] = [];
  private release = new AbortController();
  private cut: number | undefined;
  private log: RequestLogEntry[] = [];

  failNext(rule: FailRule): void {
    if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599) throw new RangeError(`bad status ${rule.status}`);
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new RangeError(`bad times ${rule.times}`);
    const fail: ActiveFail = { pattern: toPattern(rule.path), status: rule.status, remaining: rule.times, afterEffect: rule.afterEffect === true };
    if (rule.method) fail.method = rule.method.toUpperCase();
    if (rule.retryAfter !== undefined) fail.retryAfter = rule.retryAfter;
    this.fails.push(fail);
  }

  dropNext(rule: DropRule): void {
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new RangeError(`bad times ${rule.times}`);
    if (!['before', 'after', 'mid-body'].includes(rule.at)) throw new RangeError(`bad drop point ${String(rule.at)}`);
    const drop: ActiveDrop = { pattern: toPattern(rule.path), remaining: rule.times, at: rule.at };
    if (rule.method) drop.method = rule.method.toUpperCase();
    this.drops.push(drop);
  }

  /** Random faults of every kind on a share of all requests; rate 0 turns chaos off. */
  chaos(options: ChaosOptions): void {
    if (!Number.isFinite(options.rate) || options.rate < 0 || options.rate > 1) throw new RangeError(`bad rate ${options.rate}`);
    if (!Number.isSafeInteger(options.seed)) throw new RangeError(`bad seed ${options.seed}`);
    this.chaosRate = options.rate;
    this.random = seededRandom(options.seed);
  }

  /** Faults handed out so far (explicit rules and chaos). */
  injectedCount(): number {
    return this.injected;
  }

  /**
   * The fault this request gets, if any: explicit rules first (each consumes one of its `times`),
   * then chaos. `upload`: the request sends upload bytes (only those can have their body cut).
   */
  take(method: string, candidates: string[], upload: boolean): InjectedFault | undefined {
    // Chaos leaves the identity server alone: a lost refresh answer costs the whole token family
    // (rotation), a different failure than the file API's, tested on its own.
    const identity = candidates[0]?.startsWith('/auth/') === true;
    const fault = this.takeRule(method, candidates) ?? (identity ? undefined : this.takeChaos(upload));
    if (fault) this.injected += 1;
    return fault;
  }

  private takeRule(method: string, candidates: string[]): InjectedFault | undefined {
    const fail = this.takeFail(method, candidates);
    if (fail) return { kind: 'status', ...fail };
    for (const d of this.drops) {
      if (d.remaining <= 0 || (d.method && d.method !== method) || !matches(d.pattern, candidates)) continue;
      d.remaining -= 1;
      this.drops = this.drops.filter((x) => x.remaining > 0);
      return { kind: 'drop', at: d.at };
    }
    return undefined;
  }

  private takeChaos(upload: boolean): InjectedFault | undefined {
    if (this.chaosRate <= 0 || this.random() >= this.chaosRate) return undefined;
    const fault = CHAOS_MENU[Math.floor(this.random() * CHAOS_MENU.length)]!(this.random);
    // Only an upload has a request body to cut; elsewhere that draw drops the answer halfway.
    if (fault.kind === 'cut-upload' && !upload) return { kind: 'drop', at: 'mid-body' };
    return fault;
  }

  delay(rule: { path: string | RegExp; ms: number }): void {
    if (!Number.isFinite(rule.ms) || rule.ms < 0) throw new RangeError(`bad delay ${rule.ms}`);
    this.delays.push({ pattern: toPattern(rule.path), ms: rule.ms });
  }

  /** Holds a delayed request for `ms`, or until releaseDelays() lets it go. */
  async hold(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.release.signal });
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  /**
   * Drops the delay rules and lets every request they hold go on now: a spec can hold an upload
   * for as long as it needs (a long delay) and end the hold once it has seen what it came for,
   * instead of sleeping out the delay.
   */
  releaseDelays(): void {
    this.delays = [];
    this.release.abort();
    this.release = new AbortController();
  }

  cutUploadAfter(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`bad byte count ${bytes}`);
    this.cut = bytes;
  }

  /** The pending cut, consumed by the upload connection that takes it. */
  takeCut(): number | undefined {
    const cut = this.cut;
    this.cut = undefined;
    return cut;
  }

  reset(): void {
    this.fails = [];
    this.drops = [];
    this.chaosRate = 0;
    this.delays = [];
    this.cut = undefined;
    this.log = [];
  }

  /** The failure this request must get, if any (consumes one of its `times`). */
  takeFail(method: string, candidates: string[]): { status: number; retryAfter?: number; afterEffect: boolean } | undefined {
    for (const f of this.fails) {
      if (f.remaining <= 0 || (f.method && f.method !== method) || !matches(f.pattern, candidates)) continue;
      f.remaining -= 1;
      this.fails = this.fails.filter((x) => x.remaining > 0);
      const base = { status: f.status, afterEffect: f.afterEffect };
      return f.retryAfter === undefined ? base : { ...base, retryAfter: f.retryAfter };
    }
    return undefined;
  }

  delayFor(candidates: string[]): number {
    let total = 0;
    for (const d of this.delays) if (matches(d.pattern, candidates)) total += d.ms;
    return total;
  }

  record(entry: RequestLogEntry): void {
    if (this.log.length >= LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT + 1);
    this.log.push(entry);
  }

  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }
}
