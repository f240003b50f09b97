/**
 * Counters, gauges and histograms rendered in the Prometheus text exposition format (version
 * 0.0.4). Small on purpose: labels are plain records, a series is created on first use, and
 * nothing here depends on anything but the language.
 */

export type Labels = Readonly<Record<string, string | number>>;

interface Metric {
  readonly name: string;
  render(): string;
}

/** `{a="1",b="x"}`, label values escaped as the format requires. */
function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** Integers print as integers; the format's special values by their names. */
function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Series of one metric keyed by their label text, so equal label sets share one series. */
class Series<V> {
  readonly byKey = new Map<string, { labels: Labels; value: V }>();
  constructor(private readonly make: () => V) {}

  get(labels: Labels): V {
    const key = labelText(labels);
    let entry = this.byKey.get(key);
    if (!entry) {
      entry = { labels: { ...labels }, value: this.make() };
      this.byKey.set(key, entry);
    }
    return entry.value;
  }
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

export class Counter implements Metric {
  private readonly series = new Series(() => ({ n: 0 }));
  constructor(
    readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) return; // a counter only goes up; a bad increment is dropped, not thrown
    this.series.get(labels).n += by;
  }

  /** The current value of one series (0 when it was never incremented). */
  value(labels: Labels = {}): number {
    return this.series.byKey.get(labelText(labels))?.value.n ?? 0;
  }

  render(): string {
    let out = header(this.name, this.help, 'counter');
    for (const { labels, value } of this.series.byKey.values()) out += `${this.name}${labelText(labels)} ${numberText(value.n)}\n`;
    return out;
  }
}

export class Gauge implements Metric {
  private readonly series = new Series(() => ({ n: 0 }));
  constructor(
    readonly name: string,
    private readonly help: string,
    /** For values computed when scraped (a ratio of two counters) instead of set by events. */
    private readonly collect?: () => number,
  ) {}

  set(value: number, labels: Labels = {}): void {
    this.series.get(labels).n = value;
  }

  add(delta: number, labels: Labels = {}): void {
    this.series.get(labels).n += delta;
  }

  value(labels: Labels = {}): number {
    if (this.collect) return this.collect();
    return this.series.byKey.get(labelText(labels))?.value.n ?? 0;
  }

  render(): string {
    let out = header(this.name, this.help, 'gauge');
    if (this.collect) return `${out}${this.name} ${numberText(this.collect())}\n`;
    for (const { labels, value } of this.series.byKey.values()) out += `${this.name}${labelText(labels)} ${numberText(value.n)}\n`;
    return out;
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  private readonly series: Series<HistogramState>;
  constructor(
    readonly name: string,
    private readonly help: string,
    /** Upper bounds, ascending; +Inf is implied. */
    private readonly buckets: readonly number[],
  ) {
    this.series = new Series(() => ({ counts: buckets.map(() => 0), sum: 0, count: 0 }));
  }

  observe(value: number, labels: Labels = {}): void {
    if (!Number.isFinite(value)) return;
    const state = this.series.get(labels);
    state.sum += value;
    state.count += 1;
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] as number)) (state.counts[i] as number)++;
  }

  /** How many observations one series holds. */
  count(labels: Labels = {}): number {
    return this.series.byKey.get(labelText(labels))?.value.count ?? 0;
  }

  render(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const { labels, value } of this.series.byKey.values()) {
      this.buckets.forEach((le, i) => {
        out += `${this.name}_bucket${labelText(labels, ['le', numberText(le)])} ${value.counts[i] as number}\n`;
      });
      out += `${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${value.count}\n`;
      out += `${this.name}_sum${labelText(labels)} ${numberText(value.sum)}\n`;
      out += `${this.name}_count${labelText(labels)} ${value.count}\n`;
    }
    return out;
  }
}

/** A set of metrics rendered together. */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string, collect?: () => number): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return this.metrics.map((m) => m.render()).join('');
  }

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.push(metric);
    return metric;
  }
}

/** The media type Prometheus scrapes the text format with. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
