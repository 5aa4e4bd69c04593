import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { signedInPage } from '../test/support/browser';
import { ChatApiClient } from '../test/support/chat-api';
import { useStack, waitConnected } from '../test/support/stack';

// `pnpm docs:screenshots`: the README's screenshots, from the built app on a real stack. Only this
// command writes docs/images; the test suite never does.
const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const SIZES = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
const THEMES = ['light', 'dark'] as const;
const THREAD = 'th_bk_1001';

async function seed(stack: ReturnType<typeof useStack>): Promise<void> {
  const internal = new ChatApiClient(stack.api.baseUrl);
  await internal.upsertBooking('bk_1001', {
    ref: 'BK-1001',
    country: 'VN',
    creatorId: 'u_alice',
    managerId: 'u_linh',
    details: {
      name: 'Riverside Homestay, Hội An',
      startDate: '2026-03-12',
      endDate: '2026-03-15',
      guests: 2,
      status: 'confirmed',
    },
  });
  await internal.upsertBooking('bk_2001', {
    ref: 'BK-2001',
    country: 'TH',
    creatorId: 'u_bob',
    managerId: 'u_somchai',
    details: {
      name: 'Old Town Cooking Class, Chiang Mai',
      startDate: '2026-04-02',
      guests: 4,
      status: 'pending',
    },
  });
  const [alice, linh, bob, somchai] = await Promise.all(
    ['alice', 'linh', 'bob', 'somchai'].map(async (name) => {
      const client = new ChatApiClient(stack.api.baseUrl);
      await client.login(`${name}@demo.test`);
      return client;
    }),
  );
  await alice!.post(
    THREAD,
    'Hi! We land in Da Nang at 14:30 on the 12th. Could you arrange a pickup to the homestay?',
  );
  await linh!.post(
    THREAD,
    'Hello Alice, of course. A driver will wait at arrivals with a sign with your name.',
  );
  const map = await linh!.post(
    THREAD,
    'The transfer takes 45 minutes and costs 350,000 VND. Map: https://maps.example.com/riverside-homestay',
  );
  await alice!.read(THREAD, map.seq);
  const breakfast = await alice!.post(THREAD, 'Perfect, thank you! Is breakfast included?');
  await linh!.read(THREAD, breakfast.seq);
  await linh!.post(
    THREAD,
    'Yes, breakfast is served 7–10 am on the terrace. @alice let me know if you have any allergies.',
  );
  await linh!.post(THREAD, 'And the rooftop pool is heated all year.');
  await bob!.post('th_bk_2001', 'Hello! Is the class suitable for a vegetarian?');
  await somchai!.post(
    'th_bk_2001',
    'Yes! We can cook a vegetarian menu. Tell us at the market visit.',
  );
  await internal.notify(
    'u_linh',
    'Booking BK-1001 confirmed',
    'Riverside Homestay, 12–15 March',
    `/threads/${THREAD}`,
  );
  await internal.notify('u_linh', 'Payment received', '4,200,000 VND for BK-1001');
  await internal.notify(
    'u_linh',
    'Check-in opens tomorrow',
    'Show this booking at the front desk.',
  );
}

async function settle(page: Page): Promise<void> {
  await waitConnected(page);
  // Fonts and the last frame of layout, so that nothing is caught half drawn.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
}

describe('documentation screenshots', () => {
  // The demo's lived-in history (about forty bookings, in Vietnamese, Thai and English) under ours.
  const stack = useStack({ DEMO_HISTORY: 'true' });

  it('writes the inbox, a thread, the bell and the notification centre, phone and desktop, light and dark', async () => {
    mkdirSync(IMAGES, { recursive: true });
    await seed(stack);
    for (const [size, viewport] of Object.entries(SIZES)) {
      for (const theme of THEMES) {
        const { context, page } = await signedInPage(
          stack.browser,
          stack.edge.origin,
          'linh@demo.test',
          viewport,
        );
        await context.addCookies([{ name: 'theme', value: theme, url: stack.edge.origin }]);
        const shot = (screen: string) =>
          page.screenshot({ path: `${IMAGES}${screen}-${size}-${theme}.png` });

        await page.goto('/threads');
        await page.getByTestId(`thread-row-${THREAD}`).waitFor();
        await settle(page);
        await shot('inbox');

        await page.goto(`/threads/${THREAD}`);
        await page.getByTestId('composer-input').waitFor();
        await page.getByTestId('seen-by').first().waitFor();
        await page
          .getByTestId('composer-input')
          .fill('You’re welcome! The driver’s name is Minh; his number is in your booking.');
        await settle(page);
        await shot('thread');
        await page.getByTestId('composer-input').fill('');

        await page.goto('/');
        await page.getByTestId('bell-button').click();
        await page.getByTestId('bell-panel').getByTestId('bell-item').first().waitFor();
        await settle(page);
        await shot('bell');
        await page.keyboard.press('Escape');

        await page.goto('/notifications');
        await page.getByTestId('notification-list').waitFor();
        await settle(page);
        await shot('notifications');
        await context.close();
      }
    }
    // The thread in Vietnamese and in Thai, on a phone.
    for (const locale of ['vi', 'th']) {
      const { context, page } = await signedInPage(
        stack.browser,
        stack.edge.origin,
        'alice@demo.test',
        SIZES.phone,
      );
      await context.addCookies([{ name: 'locale', value: locale, url: stack.edge.origin }]);
      await page.goto(`/threads/${THREAD}`);
      await page.getByTestId('composer-input').waitFor();
      await settle(page);
      await page.screenshot({ path: `${IMAGES}thread-phone-${locale}.png` });
      await context.close();
    }
  }, 300_000);
});
