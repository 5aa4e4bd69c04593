/** A tiny external store for `useSyncExternalStore`: immutable state, shallow updates. */
export class Observable<State extends object> {
  private listeners = new Set<() => void>();

  constructor(protected state: State) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getSnapshot = (): State => this.state;

  protected set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}
