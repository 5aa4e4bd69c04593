import { execFile } from 'node:child_process';

/**
 * Runs `redis-cli` against 127.0.0.1:port (after AUTH when a password is given) and resolves
 * with what it printed. The topologies use it for administration (cluster creation, slot moves,
 * INFO), which keeps this package free of a Redis client library.
 */
export function redisCli(
  port: number,
  password: string | null,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<string> {
  const auth = password === null ? [] : ['-a', password, '--no-auth-warning'];
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      ['-h', '127.0.0.1', '-p', String(port), ...auth, ...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`redis-cli ${args.join(' ')} on ${port}: ${stderr || error}`));
        else resolve(stdout);
      },
    );
  });
}

/** `INFO` sections as a map of field → value (`# Section` headers and blank lines dropped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/** What one Redis process has done since it started: commands by name, and its CPU seconds. */
export interface RedisProcessStats {
  port: number;
  /** Calls per command name (lower case), from `INFO commandstats`. */
  commands: Record<string, number>;
  /** Every command call, scripts' inner commands included. */
  totalCalls: number;
  /** `used_cpu_user + used_cpu_sys` from `INFO cpu`, in seconds. */
  cpuSeconds: number;
}

/** Reads `INFO commandstats` and `INFO cpu` of the server on `port`. */
export async function redisProcessStats(
  port: number,
  password: string | null,
): Promise<RedisProcessStats> {
  const [commandStats, cpu] = await Promise.all([
    redisCli(port, password, ['INFO', 'commandstats']),
    redisCli(port, password, ['INFO', 'cpu']),
  ]);
  const commands: Record<string, number> = {};
  let totalCalls = 0;
  for (const [field, value] of parseInfo(commandStats)) {
    const calls = /(?:^|,)calls=(\d+)/.exec(value);
    if (!field.startsWith('cmdstat_') || !calls) continue;
    commands[field.slice('cmdstat_'.length)] = Number(calls[1]);
    totalCalls += Number(calls[1]);
  }
  const cpuFields = parseInfo(cpu);
  const cpuSeconds =
    Number(cpuFields.get('used_cpu_user') ?? 0) + Number(cpuFields.get('used_cpu_sys') ?? 0);
  return { port, commands, totalCalls, cpuSeconds };
}
