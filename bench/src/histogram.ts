/** A latency histogram that processes can ship over IPC and merge. */
export interface HistogramSnapshot {
  buckets: Array<[index: number, count: number]>;
  count: number;
  min: number;
  max: number;
  sum: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

// Logarithmic buckets 1 % wide from 1 µs: every percentile is within 1 % of the true value,
// and a histogram of any size is a few hundred numbers.
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const FLOOR_MS = 0.001;

function bucketOf(ms: number): number {
  return ms <= FLOOR_MS ? 0 : Math.ceil(Math.log(ms / FLOOR_MS) / LOG_GROWTH);
}

function upperBoundOf(index: number): number {
  return FLOOR_MS * GROWTH ** index;
}

export class LatencyHistogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  min = Infinity;
  max = 0;
  sum = 0;

  record(ms: number): void {
    const value = ms < 0 ? 0 : ms;
    const index = bucketOf(value);
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1);
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(snapshot: HistogramSnapshot): this {
    for (const [index, count] of snapshot.buckets) {
      this.counts.set(index, (this.counts.get(index) ?? 0) + count);
    }
    this.count += snapshot.count;
    this.sum += snapshot.sum;
    if (snapshot.count > 0) {
      this.min = Math.min(this.min, snapshot.min);
      this.max = Math.max(this.max, snapshot.max);
    }
    return this;
  }

  /** The value below which `percent` % of the samples fall (upper bucket bound, capped at max). */
  percentile(percent: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((percent / 100) * this.count));
    let seen = 0;
    for (const index of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(index) ?? 0;
      if (seen >= rank) return Math.min(upperBoundOf(index), this.max);
    }
    return this.max;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.percentile(50),
      p95: this.percentile(95),
      p99: this.percentile(99),
      max: this.count ? this.max : 0,
      mean: this.count ? this.sum / this.count : 0,
    };
  }

  snapshot(): HistogramSnapshot {
    return {
      buckets: [...this.counts.entries()],
      count: this.count,
      min: this.count ? this.min : 0,
      max: this.max,
      sum: this.sum,
    };
  }

  static from(snapshots: HistogramSnapshot[]): LatencyHistogram {
    const histogram = new LatencyHistogram();
    for (const snapshot of snapshots) histogram.merge(snapshot);
    return histogram;
  }
}
