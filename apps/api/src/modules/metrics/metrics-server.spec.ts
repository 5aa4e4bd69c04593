import { describe, expect, it } from 'vitest';
import { listenAddress } from './metrics-server';

describe(listenAddress.name, () => {
  it("binds to the address of this machine that a name resolves to, as a replica's network alias does", async () => {
    expect(['127.0.0.1', '::1']).toContain(await listenAddress('localhost'));
    expect(await listenAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(await listenAddress('0.0.0.0')).toBe('0.0.0.0');
  });

  it('refuses a name that resolves to nothing of this machine, rather than listen somewhere else', async () => {
    await expect(listenAddress('192.0.2.1')).rejects.toThrow(
      /METRICS_HOST=192\.0\.2\.1 resolves to 192\.0\.2\.1, none of them an address of this machine/,
    );
  });
});
