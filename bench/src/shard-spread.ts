import { type FanoutStep, type ShardWork } from './results';

/** How evenly a load lies on the shards: the busiest against the mean. */
export interface Spread {
  mean: number;
  max: number;
  /** Index of the busiest shard (the first of equals). */
  busiest: number;
  /** max ÷ mean: 1 when every shard does the same, the shard count when one does everything. */
  ratio: number;
}

/** The spread of one figure over the shards; null when there is nothing to spread. */
export function spreadOf(values: readonly number[]): Spread | null {
  const total = values.reduce((sum, value) => sum + value, 0);
  if (!values.length || !(total > 0)) return null;
  const mean = total / values.length;
  let busiest = 0;
  values.forEach((value, index) => {
    if (value > values[busiest]!) busiest = index;
  });
  const max = values[busiest]!;
  return { mean, max, busiest, ratio: max / mean };
}

/** A step's spread of commands and of CPU over the masters (null: not a Cluster step). */
export function shardSpread(
  step: Pick<FanoutStep, 'shards'>,
): { commands: Spread | null; cpu: Spread | null } | null {
  const shards = step.shards;
  if (!shards?.length) return null;
  return {
    commands: spreadOf(shards.map((shard) => shard.commands)),
    cpu: spreadOf(shards.map((shard) => shard.cpuPercent)),
  };
}

/** A master as the report names it: by its slots (`slots 0–5460`), stable from run to run. */
export function shardLabel(shard: Pick<ShardWork, 'slotRanges'>): string {
  const ranges = shard.slotRanges.map(([first, last]) =>
    first === last ? String(first) : `${first}–${last}`,
  );
  return `slots ${ranges.join(', ')}`;
}
