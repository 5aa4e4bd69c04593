import { DEMO, HttpClient } from './http-client';

/**
 * What the demo users see through the API (their thread lists, unread counts, bell, searches,
 * two threads' history), as one comparable value: a store migrated from an older layout must
 * serve exactly what the older API served.
 */
export async function platformState(baseUrl: string): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const [name, email] of Object.entries(DEMO)) {
    const client = new HttpClient(baseUrl);
    await client.login(email);
    const body = async (path: string) => {
      const response = await client.get(path);
      if (response.status !== 200) throw new Error(`${email} ${path}: ${response.status}`);
      const { nextCursor: _cursor, ...rest } = response.body as Record<string, unknown>;
      return rest;
    };
    state[name] = {
      mine: await body('/api/chat/conversations?limit=100'),
      all: await client
        .get('/api/chat/conversations?scope=all&limit=100')
        .then((response) =>
          response.status === 200
            ? (response.body.conversations as Array<{ id: string }>).map((item) => item.id)
            : response.status,
        ),
      unreadOnly: await body('/api/chat/conversations?unread=true&limit=100'),
      searched: await body('/api/chat/conversations?scope=mine&q=bk&limit=100'),
      unread: await body('/api/chat/unread'),
      notifications: await body('/api/notifications?limit=100'),
      notificationsUnread: await body('/api/notifications/unread-count'),
    };
  }
  const grace = new HttpClient(baseUrl);
  await grace.login(DEMO.grace);
  for (const thread of ['th_bk_1001', 'th_bk_2001']) {
    state[thread] = (await grace.get(`/api/chat/conversations/${thread}/messages?limit=100`)).body;
  }
  return state;
}
