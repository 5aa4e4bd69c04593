import calculateSlot from 'cluster-key-slot';

/**
 * Where keys may be written together. On a Cluster a script may only touch keys of one slot; on
 * a single node (direct or behind Sentinel) any keys go together, so work that a Cluster splits
 * by slot runs there in one script.
 */
export class RedisTopology {
  constructor(readonly mode: 'single' | 'sentinel' | 'cluster') {}

  get sharded(): boolean {
    return this.mode === 'cluster';
  }

  /**
   * `items` grouped so that each group's keys may go into one script: by the slot of
   * `keyOf(item)` on a Cluster, all together elsewhere. Order is kept within a group.
   */
  groups<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
    if (!items.length) return [];
    if (!this.sharded) return [[...items]];
    const bySlot = new Map<number, T[]>();
    for (const item of items) {
      const slot = calculateSlot(keyOf(item));
      const group = bySlot.get(slot);
      if (group) group.push(item);
      else bySlot.set(slot, [item]);
    }
    return [...bySlot.values()];
  }
}
