/**
 * Fault switches (issue 2 §4): one-shot failures with the service's error shape, delays, a cut
 * upload connection, plus the request log. Control paths (`/_emulator/…`) are never targets and
 * are not logged, so a test's own control calls do not disturb what it counts.
 */
export interface FailRule {
  method?: string;
  path: string | RegExp;
  status: number;
  times: number;
  retryAfter?: number;
}

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
  private delays: { pattern: RegExp; ms: number }[] = [];
  private cut: number | undefined;
  private log: RequestLogEntry[] = [];

  failNext(rule: FailRule): void {
    if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599) throw new RangeError(`bad status ${rule.status}`);
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new RangeError(`bad times ${rule.times}`);
    const fail: ActiveFail = { pattern: toPattern(rule.path), status: rule.status, remaining: rule.times };
    if (rule.method) fail.method = rule.method.toUpperCase();
    if (rule.retryAfter !== undefined) fail.retryAfter = rule.retryAfter;
    this.fails.push(fail);
  }

  delay(rule: { path: string | RegExp; ms: number }): void {
    if (!Number.isFinite(rule.ms) || rule.ms < 0) throw new RangeError(`bad delay ${rule.ms}`);
    this.delays.push({ pattern: toPattern(rule.path), ms: rule.ms });
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
    this.delays = [];
    this.cut = undefined;
    this.log = [];
  }

  /** The failure this request must get, if any (consumes one of its `times`). */
  takeFail(method: string, candidates: string[]): { status: number; retryAfter?: number } | undefined {
    for (const f of this.fails) {
      if (f.remaining <= 0 || (f.method && f.method !== method) || !matches(f.pattern, candidates)) continue;
      f.remaining -= 1;
      this.fails = this.fails.filter((x) => x.remaining > 0);
      return f.retryAfter === undefined ? { status: f.status } : { status: f.status, retryAfter: f.retryAfter };
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
