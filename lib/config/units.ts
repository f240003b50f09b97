/**
 * Human units in config values. Sizes follow rclone's SizeSuffix (binary multiples, so `10M`
 * is 10 MiB, matching rclone's `--jottacloud-md5-memory-limit 10M`); durations take ms, s, m,
 * h, d. A bare number is bytes or milliseconds.
 */

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Bytes, or undefined when `value` is neither a non-negative number nor a size string. */
export function parseSize(value: unknown): number | undefined {
  return parseWithUnits(value, SIZE_UNITS);
}

/** Milliseconds, or undefined when `value` is neither a non-negative number nor a duration string. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'string') {
    // Compound durations such as `1h30m`, as Go and rclone print them.
    const parts = value.trim().toLowerCase().match(/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/);
    if (parts && /[a-z]/.test(value)) {
      let total = 0;
      for (const m of value.trim().toLowerCase().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
        total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
      }
      return Math.round(total);
    }
  }
  return parseWithUnits(value, DURATION_UNITS);
}

function parseWithUnits(value: unknown, units: Record<string, number>): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = value.trim().match(/^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/);
  if (!m) return undefined;
  const unit = units[(m[2] as string).toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

export function formatSize(bytes: number): string {
  const units = [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const;
  for (const [suffix, factor] of units) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${suffix}`;
  }
  for (const [suffix, factor] of units) {
    if (bytes >= factor) return `${(bytes / factor).toFixed(2)} ${suffix}`;
  }
  return `${bytes} B`;
}

export function formatDuration(ms: number): string {
  for (const [suffix, factor] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= factor && ms % factor === 0) return `${ms / factor}${suffix}`;
  }
  return `${ms}ms`;
}
