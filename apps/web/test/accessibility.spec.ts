import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectEventually } from '@chat/test-support';
import { DEMO_PASSWORD } from './support/browser';
import { ChatApiClient } from './support/chat-api';
import { useStack, waitConnected } from './support/stack';

const THREAD = 'th_bk_1001';
const LOCALES = ['en', 'vi', 'th'] as const;
const THEMES = ['light', 'dark'] as const;

/** A signed-in context whose language and theme are set as the switchers set them. */
async function contextFor(
  stack: ReturnType<typeof useStack>,
  options: { locale?: string; theme?: string; acceptLanguage?: string; email?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({
    baseURL: stack.edge.origin,
    viewport: { width: 1280, height: 800 },
    locale: options.acceptLanguage ?? 'en-US',
  });
  const cookies = [];
  if (options.locale) cookies.push({ name: 'locale', value: options.locale });
  if (options.theme) cookies.push({ name: 'theme', value: options.theme });
  if (cookies.length > 0) {
    await context.addCookies(cookies.map((cookie) => ({ ...cookie, url: stack.edge.origin })));
  }
  if (options.email) {
    const response = await context.request.post('/api/auth/login', {
      data: { email: options.email, password: DEMO_PASSWORD },
    });
    if (response.status() !== 200) throw new Error(`login: ${response.status()}`);
  }
  return { context, page: await context.newPage() };
}

/** Serious and critical WCAG 2.1 A/AA violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    // axe.run in the page itself: the app has no frames, so the default's extra blank page per
    // scan (to combine the results of frames) is only cost. Passes and incomplete results are
    // not collected, as nothing reads them; every rule still runs.
    .setLegacyMode()
    .options({ resultTypes: ['violations'] })
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
}

// Every page, light and dark, in every language; the keyboard alone; languages and themes.
describe('accessibility, languages and themes', () => {
  const stack = useStack();
  const scanned: Record<string, number> = {};

  it('has no serious or critical axe violation on any page, light or dark, in any language', async () => {
    const internal = new ChatApiClient(stack.api.baseUrl);
    await internal.notify(
      'u_linh',
      'Booking BK-1001 was paid',
      'Payment received',
      `/threads/${THREAD}`,
    );
    const poster = new ChatApiClient(stack.api.baseUrl);
    await poster.login('alice@demo.test');
    await poster.post(THREAD, 'See https://example.com/map and ping @linh');
    const problems: string[] = [];
    const scan = async (page: Page, locale: string, theme: string, what: string) => {
      // What the server rendered, or the toggle set: the page is in the theme it is scanned as.
      expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
      expect(await page.locator('html').getAttribute('lang')).toBe(locale);
      problems.push(
        ...(await seriousViolations(page)).map((p) => `${locale} ${theme} ${what} ${p}`),
      );
      scanned[`${locale} ${theme}`] = (scanned[`${locale} ${theme}`] ?? 0) + 1;
    };
    /** The theme toggle in the account menu, as a user switches; the menu is left open. */
    const switchTheme = async (page: Page, theme: (typeof THEMES)[number]) => {
      if ((await page.getByTestId('user-menu').count()) === 0) {
        await page.getByTestId('user-menu-button').click();
        await page.getByTestId('user-menu').waitFor();
      }
      await page.getByTestId(`theme-${theme}`).click();
      await expectEventually(async () =>
        expect(await page.locator('html').getAttribute('data-theme')).toBe(theme),
      );
    };
    const closeMenu = async (page: Page) => {
      await page.keyboard.press('Escape');
      await page.getByTestId('user-menu').waitFor({ state: 'detached' });
    };

    // One signed-out and one signed-in tab per language. Each page is loaded once and scanned
    // in both themes: in the one the server rendered from the cookie, then in the other, set
    // with the toggle (which keeps it for the next page, so both ways are scanned in both themes).
    for (const locale of LOCALES) {
      const signedOut = await contextFor(stack, { locale, theme: 'light' });
      await signedOut.page.goto('/login');
      await signedOut.page.locator('form input[name="email"]').waitFor();
      await scan(signedOut.page, locale, 'light', '/login');
      await signedOut.context.addCookies([
        { name: 'theme', value: 'dark', url: stack.edge.origin },
      ]);
      await signedOut.page.reload();
      await signedOut.page.locator('form input[name="email"]').waitFor();
      await scan(signedOut.page, locale, 'dark', '/login');
      await signedOut.context.close();

      const { context, page } = await contextFor(stack, {
        locale,
        theme: 'light',
        email: 'linh@demo.test',
      });
      const pages: Array<[string, () => Promise<unknown>]> = [
        ['/', () => page.getByTestId('bell-button').waitFor()],
        ['/threads', () => page.getByTestId(`thread-row-${THREAD}`).waitFor()],
        [`/threads/${THREAD}`, () => page.getByTestId('composer-input').waitFor()],
        ['/notifications', () => page.getByTestId('notification-list').waitFor()],
      ];
      let theme: (typeof THEMES)[number] = 'light';
      const other = () => (theme === 'light' ? 'dark' : 'light');
      for (const [path, ready] of pages) {
        await page.goto(path);
        await ready();
        await waitConnected(page);
        await scan(page, locale, theme, path);
        theme = other();
        await switchTheme(page, theme);
        await closeMenu(page);
        await scan(page, locale, theme, path);
      }
      // The bell's panel and the account menu, open, in both themes.
      for (let round = 0; round < 2; round += 1) {
        await page.getByTestId('bell-button').click();
        await page.getByTestId('bell-panel').waitFor();
        await scan(page, locale, theme, 'bell');
        await page.keyboard.press('Escape');
        await page.getByTestId('user-menu-button').click();
        await page.getByTestId('user-menu').waitFor();
        await scan(page, locale, theme, 'menu');
        if (round === 0) {
          theme = other();
          await switchTheme(page, theme);
          await closeMenu(page);
        }
      }
      await context.close();
    }
    console.log('axe scans per language and theme', JSON.stringify(scanned));
    expect(Object.values(scanned)).toEqual(Array(LOCALES.length * THEMES.length).fill(7));
    expect(problems).toEqual([]);
  }, 300_000);

  it('with the keyboard alone: opens the bell, marks read, opens a thread and sends', async () => {
    const internal = new ChatApiClient(stack.api.baseUrl);
    await internal.notify('u_alice', 'Your booking is confirmed', 'BK-1001', `/threads/${THREAD}`);
    const { context, page } = await contextFor(stack, { email: 'alice@demo.test' });
    await page.goto('/');
    await waitConnected(page);
    const badge = page.getByTestId('bell-badge');
    await badge.waitFor();
    const before = Number(await badge.textContent());

    const focusedTestId = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '');
    const tabTo = async (testId: string, limit = 40) => {
      for (let step = 0; step < limit; step += 1) {
        if ((await focusedTestId()) === testId) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${testId}`);
    };

    await tabTo('bell-button');
    await page.keyboard.press('Enter');
    await page.getByTestId('bell-panel').waitFor();
    // Focus moved into the panel, and Tab keeps it there.
    expect(
      await page.evaluate(() => !!document.activeElement?.closest('[data-testid="bell-panel"]')),
    ).toBe(true);
    for (let step = 0; step < 12; step += 1) {
      await page.keyboard.press('Tab');
      expect(
        await page.evaluate(() => !!document.activeElement?.closest('[data-testid="bell-panel"]')),
      ).toBe(true);
    }
    // Shift+Tab back to the first item's "Mark read".
    let label = '';
    for (
      let step = 0;
      step < 12 && !label.startsWith('Mark "Your booking is confirmed"');
      step += 1
    ) {
      await page.keyboard.press('Shift+Tab');
      label = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    }
    expect(label).toBe('Mark "Your booking is confirmed" read');
    await page.keyboard.press('Enter');
    await expectEventually(async () => {
      const [text] = await page.getByTestId('bell-badge').allTextContents();
      expect(Number(text ?? 0)).toBe(before - 1);
    });
    await page.keyboard.press('Escape');
    expect(await focusedTestId()).toBe('bell-button');

    await tabTo('nav-threads');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/threads$/);
    await tabTo(`thread-row-${THREAD}`);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/threads/${THREAD}$`));
    await tabTo('composer-input');
    const text = `Typed without a mouse ${Date.now()}`;
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await page.getByTestId('message').filter({ hasText: text }).waitFor();
    await context.close();
  });

  it('follows the browser’s language on a first visit, and the switcher’s choice after', async () => {
    const { context, page } = await contextFor(stack, {
      acceptLanguage: 'vi-VN',
      email: 'alice@demo.test',
    });
    await page.goto(`/threads/${THREAD}`);
    await page.getByTestId('composer-input').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    expect(await page.getByTestId('composer-input').getAttribute('placeholder')).toBe(
      'Nhập tin nhắn. Gõ @ để nhắc đến ai đó.',
    );
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('language-select').selectOption('th');
    await expectEventually(async () =>
      expect(await page.locator('html').getAttribute('lang')).toBe('th'),
    );
    await page.reload();
    await page.getByTestId('composer-input').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('th');
    expect(await page.getByTestId('composer-input').getAttribute('placeholder')).toBe(
      'พิมพ์ข้อความ ใช้ @ เพื่อกล่าวถึงผู้อื่น',
    );
    await context.close();
  });

  it.each(LOCALES)(
    'renders the thread and the bell in %s, with nothing left untranslated',
    async (locale) => {
      const expected = {
        en: { history: 'Message history', bell: 'Notifications', day: 'Today' },
        vi: { history: 'Lịch sử tin nhắn', bell: 'Thông báo', day: 'Hôm nay' },
        th: { history: 'ประวัติข้อความ', bell: 'การแจ้งเตือน', day: 'วันนี้' },
      }[locale];
      const { context, page } = await contextFor(stack, { locale, email: 'linh@demo.test' });
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && /MISSING_MESSAGE|FORMATTING_ERROR/.test(message.text())) {
          errors.push(message.text());
        }
      });
      await page.goto(`/threads/${THREAD}`);
      await page.getByTestId('composer-input').waitFor();
      expect(await page.getByRole('region', { name: expected.history }).count()).toBe(1);
      expect(await page.getByTestId('day-separator').first().textContent()).toBe(expected.day);
      await page.getByTestId('bell-button').click();
      expect(await page.getByTestId('bell-panel').getByRole('heading').textContent()).toBe(
        expected.bell,
      );
      // A key missing in the catalogue would show as its path (thread.something).
      const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
      expect(text).not.toMatch(
        /\b(?:app|nav|inbox|thread|composer|notifications|booking|user)\.[a-zA-Z]+/,
      );
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it('renders dark when the system asks for it, and keeps a theme chosen with the toggle', async () => {
    const context = await stack.browser.newContext({
      baseURL: stack.edge.origin,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'dark',
    });
    await context.request.post('/api/auth/login', {
      data: { email: 'alice@demo.test', password: DEMO_PASSWORD },
    });
    const page = await context.newPage();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.goto(`/threads/${THREAD}`);
    await page.getByTestId('composer-input').waitFor();
    expect(await background()).toBe('rgb(14, 18, 23)');
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('theme-light').click();
    await expectEventually(async () => expect(await background()).toBe('rgb(243, 245, 248)'));
    // Kept for the next visit, and set by the server before anything is painted.
    const response = await page.reload();
    expect(await response!.text()).toMatch(/<html[^>]*data-theme="light"/);
    expect(await background()).toBe('rgb(243, 245, 248)');
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('theme-system').click();
    await expectEventually(async () => expect(await background()).toBe('rgb(14, 18, 23)'));
    await context.close();
  });
});
