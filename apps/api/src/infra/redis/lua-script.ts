import { createHash } from 'node:crypto';
import { type RedisClient } from './redis-client';

type Argument = string | number | Buffer;

/**
 * A Lua script run by its SHA (EVALSHA), sent whole only when a node does not know it yet
 * (NOSCRIPT: a new node, a restart, a failover). Its first key routes it on a Cluster, so every
 * key it touches must share that key's slot (see redis-keys.ts).
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run<T>(
    client: RedisClient,
    keys: readonly string[],
    args: readonly Argument[],
  ): Promise<T> {
    if (!keys.length) throw new Error('a script needs a key: it routes the script to its slot');
    try {
      return (await client.evalsha(this.sha, keys.length, ...keys, ...args)) as T;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return (await client.eval(this.lua, keys.length, ...keys, ...args)) as T;
    }
  }
}
