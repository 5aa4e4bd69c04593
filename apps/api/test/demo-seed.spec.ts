import { afterEach, describe, expect, it } from 'vitest';
import { type ApiInstance, startApi } from './support/api-instance';
import { DEMO, HttpClient } from './support/http-client';
import { RedisServer } from './support/redis-server';

/** `pnpm dev`'s demo platform (DEMO_HISTORY): what a newcomer sees first. */
describe('the demo history', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const start = async (environment: Record<string, string>): Promise<ApiInstance> => {
    const api = await startApi({ DEMO_HISTORY: 'true', ...environment });
    cleanups.push(() => api.close());
    return api;
  };

  const firstScreen = async (api: ApiInstance) => {
    const linh = new HttpClient(api.baseUrl);
    await linh.login(DEMO.linh);
    const grace = new HttpClient(api.baseUrl);
    await grace.login(DEMO.grace);
    const all = (await grace.get('/api/chat/conversations?scope=all&limit=100')).body;
    return {
      mine: (await linh.get('/api/chat/conversations')).body.conversations,
      unread: (await linh.get('/api/chat/unread')).body,
      bell: (await linh.get('/api/notifications')).body.notifications,
      all: all.conversations,
    };
  };

  it('gives a newcomer a lived-in inbox: forty bookings in three languages, unread threads, a bell', async () => {
    const screen = await firstScreen(await start({}));
    expect(screen.all.length).toBe(42);
    const bodies = screen.all.map((item: { lastMessage: { body: string } | null }) =>
      String(item.lastMessage?.body ?? ''),
    );
    expect(
      bodies.some((body: string) => /[ạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/.test(body)),
    ).toBe(true);
    expect(bodies.some((body: string) => /[\u0e00-\u0e7f]/.test(body))).toBe(true);
    expect(bodies.some((body: string) => /^[\x20-\x7e—’]+$/.test(body))).toBe(true);
    expect(screen.mine.length).toBeGreaterThan(5);
    expect(screen.unread.total).toBeGreaterThan(0);
    expect(Object.keys(screen.unread.conversations).length).toBeGreaterThan(1);
    expect(screen.bell.length).toBeGreaterThan(0);
  });

  it('loads once: a second replica or boot on the same Redis adds nothing', async () => {
    const redis = await RedisServer.start();
    cleanups.push(() => redis.dispose());
    const environment = { REDIS_URL: redis.url, DEMO_SEED: 'true' };
    const first = await firstScreen(await start(environment));
    const second = await firstScreen(await start(environment));
    expect(second).toEqual(first);
  });
});
