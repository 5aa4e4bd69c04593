import { type LiveMessage } from './room-events';

export interface CursorOutput {
  /** Hands a message to the socket; called with strictly increasing, gapless `seq`. */
  deliver(message: LiveMessage): void;
  /** Reads the message log: every message with `seq` in [fromSeq, toSeq], oldest first. */
  fetch(fromSeq: number, toSeq: number): Promise<LiveMessage[]>;
}

/** More live messages than this waiting on a gap means something is badly wrong. */
const MAX_PENDING = 5_000;

/**
 * One socket's position in one conversation: the next `seq` it expects. A message is delivered
 * when its `seq` is the next one, dropped when lower (already delivered: a duplicate), and held
 * when higher while the gap is read from the message log. This gives, with one mechanism,
 * in-order delivery whatever order the replicas' events arrive in, deduplication, gap-free
 * resume (`subscribe {since}`) while live messages keep arriving, and catch-up after a bus outage.
 */
export class ConversationCursor {
  private next: number;
  /** Highest seq known to exist in the log; the cursor fills up to it. */
  private target: number;
  private readonly pending = new Map<number, LiveMessage>();
  /** While holding, live messages past `target` wait (the subscribe replay is not finished). */
  private holding = true;
  private active = false;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly output: CursorOutput,
    private readonly fetchChunk: number,
    startAt: number,
  ) {
    this.next = startAt;
    this.target = startAt - 1;
  }

  /**
   * A live message from the room. Returns nothing when there is nothing to wait for (delivered
   * at once, dropped as a duplicate, or held until {@link release}); otherwise a promise that
   * settles once it is delivered and rejects when a gap before it cannot be read from the log.
   */
  offer(message: LiveMessage): Promise<void> | undefined {
    if (this.closed || message.seq < this.next) return undefined;
    if (message.seq === this.next && !this.holding && !this.active && this.pending.size === 0) {
      // The usual case, once per socket per live message: nothing is waiting and nothing is
      // being read, so the message goes out at once, without a run of the loop below.
      this.next++;
      this.output.deliver(message);
      return undefined;
    }
    if (this.pending.size >= MAX_PENDING) {
      return Promise.reject(new Error(`more than ${MAX_PENDING} messages waiting on a gap`));
    }
    this.pending.set(message.seq, message);
    return this.holding ? undefined : this.pump();
  }

  /** Delivers every message up to `lastSeq` (replay, or catch-up after missed events). */
  fillTo(lastSeq: number): Promise<void> {
    this.target = Math.max(this.target, lastSeq);
    return this.pump();
  }

  /** Skips ahead without delivering (the gap was too large to replay). */
  skipTo(nextSeq: number): void {
    this.next = Math.max(this.next, nextSeq);
    this.target = Math.max(this.target, nextSeq - 1);
  }

  /** Ends the replay: held live messages flow from here on. */
  release(): Promise<void> {
    this.holding = false;
    return this.pump();
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private pump(): Promise<void> {
    if (!this.active) {
      this.active = true;
      this.running = this.run();
    }
    return this.running;
  }

  /**
   * `active` is cleared in the same synchronous step as the loop's last check: a message offered
   * right after (even within the same burst of socket events) starts a new run instead of
   * joining one that is about to end. An `await` or `finally` around the loop would leave a gap.
   */
  private async run(): Promise<void> {
    try {
      await this.fill();
    } catch (error) {
      this.active = false;
      throw error;
    }
  }

  private async fill(): Promise<void> {
    for (;;) {
      if (this.closed) {
        this.active = false;
        return;
      }
      const limit = this.holding ? this.target : Number.POSITIVE_INFINITY;
      while (this.next <= limit && this.pending.has(this.next)) {
        const message = this.pending.get(this.next)!;
        this.pending.delete(this.next);
        this.next++;
        this.output.deliver(message);
      }
      let firstPending = Number.POSITIVE_INFINITY;
      let lastPending = 0;
      for (const seq of this.pending.keys()) {
        if (seq < this.next) this.pending.delete(seq);
        else {
          firstPending = Math.min(firstPending, seq);
          lastPending = Math.max(lastPending, seq);
        }
      }
      const wanted = this.holding ? this.target : Math.max(this.target, lastPending);
      if (this.next > wanted) {
        this.active = false;
        return;
      }
      const upTo = Math.min(firstPending - 1, wanted, this.next + this.fetchChunk - 1);
      const fetched = await this.output.fetch(this.next, upTo);
      if (this.closed) continue;
      for (const message of fetched) {
        if (message.seq !== this.next) continue;
        this.next++;
        this.output.deliver(message);
      }
      if (this.next <= upTo) {
        throw new Error(`the message log has no seq ${this.next} (wanted up to ${upTo})`);
      }
    }
  }
}
