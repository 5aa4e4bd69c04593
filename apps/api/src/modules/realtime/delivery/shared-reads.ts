/**
 * Identical reads in flight at the same time share one call and one result. When a live message
 * arrives out of order (two replicas published in the other order), every socket of the room on
 * this replica asks the log for the same missing range at once: one Redis read, and one message
 * object per seq, so its frame is encoded once for all of them.
 */
export class SharedReads<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = load().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }
}
