import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; playwright-core never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export const DEMO_PASSWORD = 'demo1234';

/** A fresh browser context signed in as `email` (the session cookie set through the web proxy). */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  viewport = { width: 1200, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport });
  const response = await context.request.post('/api/auth/login', {
    data: { email, password: DEMO_PASSWORD },
  });
  if (response.status() !== 200) throw new Error(`login ${email}: ${response.status()}`);
  const page = await context.newPage();
  return { context, page };
}
