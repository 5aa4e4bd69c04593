/**
 * The progress display: one live status line on a terminal, plain lines (at most one every few
 * seconds) when the output is a file or CI log. Silent when disabled (the CI smoke test).
 */
export class Progress {
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private live = false;

  constructor(
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  private stamp(): string {
    const seconds = Math.round((Date.now() - this.startedAt) / 1000);
    return `[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}]`;
  }

  /** A finished line that stays on screen. */
  log(text: string): void {
    if (!this.enabled) return;
    if (this.live) this.stream.write('\r\x1b[2K');
    this.live = false;
    this.stream.write(`${this.stamp()} ${text}\n`);
  }

  /** The current status, replaced by the next one. */
  update(text: string): void {
    if (!this.enabled) return;
    if (this.tty) {
      const width = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[2K${`${this.stamp()} ${text}`.slice(0, width - 1)}`);
      this.live = true;
      return;
    }
    if (Date.now() - this.lastPlainAt < 5_000) return;
    this.lastPlainAt = Date.now();
    this.stream.write(`${this.stamp()} ${text}\n`);
  }
}

/** Runs `tasks` with at most `concurrency` at once, reporting how many are done. */
export async function runLimited<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
  onProgress?: (done: number) => void,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
      done += 1;
      onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}
