/** One figure a benchmark measured, optionally against a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The same quantity measured on the baseline (e.g. straight to the emulator) in this run. */
  baseline?: number;
  /** value / baseline, or whatever ratio the bench defines in `note`. */
  ratio?: number;
  /** A target the figure is compared with, e.g. "<= 1.3". */
  target?: string;
  note?: string;
}

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}
