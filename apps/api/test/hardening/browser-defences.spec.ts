import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationBodySchema, sameSitePath } from '@chat/protocol';
import {
  type Child,
  expectEventually,
  freePort,
  LoopbackEdge,
  spawnChild,
} from '@chat/test-support';
import { prepareStandalone, WEB_ROOT } from '../../../web/scripts/standalone.mjs';
import { redisKeys } from '../../src/infra/redis/redis-keys';
import { INTERNAL_TOKEN } from '../support/api-instance';
import { type ApiProcess, redisEnvironment, spawnApi } from '../support/api-process';
import { BK_1001_THREAD, DEMO, HttpClient } from '../support/http-client';
import { RedisServer } from '../support/redis-server';
import { record } from './support/results';

/**
 * Every page of the web app, visited as a visitor or as a demo user. A new page gets a line
 * here: the walk below loads each in Chromium and fails on any Content Security Policy
 * violation, on a page whose scripts did not run, or on a missing defence header.
 */
const PAGES: ReadonlyArray<{ path: string; as: 'visitor' | keyof typeof DEMO }> = [
  { path: '/login', as: 'visitor' },
  { path: '/', as: 'visitor' },
  { path: '/', as: 'alice' },
  { path: '/threads', as: 'linh' },
  { path: '/threads', as: 'alice' },
  { path: `/threads/${BK_1001_THREAD}`, as: 'linh' },
  { path: `/threads/${BK_1001_THREAD}`, as: 'alice' },
  { path: '/notifications', as: 'visitor' },
  { path: '/notifications', as: 'linh' },
  { path: '/notifications', as: 'alice' },
  { path: '/no-such-page', as: 'alice' },
];

/** `next=` values that lead off the site, each as a browser would send it in the query. */
const HOSTILE_NEXT = [
  '/%09/evil.example',
  '/%0A/evil.example',
  '/%5Cevil.example',
  '//evil.example',
  '/.//evil.example',
  '/%2E//evil.example',
  'https://evil.example',
  'javascript:alert(1)',
];

/** Notification links the platform might be talked into sending. */
const HOSTILE_LINKS = [
  '/\\evil.example',
  '/\t/evil.example',
  '//evil.example',
  '/.//evil.example',
  'https://evil.example',
  'javascript:alert(1)',
  '\\\\evil.example',
];

/** The API's service-to-service routes, spelled every way a router might still match them. */
const PRIVATE_SPELLINGS = [
  '/api/internal/users/u_mallory',
  '/api/Internal/users/u_mallory',
  '/api/INTERNAL/users/u_mallory',
  '/api//internal/users/u_mallory',
  '/api/chat/../internal/users/u_mallory',
  '/api/chat/%2e%2e/internal/users/u_mallory',
  '/api/%69nternal/users/u_mallory',
  '/api/internal/users/u_mallory/',
  '/api/metrics',
];

const WEB_DIST = '.next';

async function startWebServer(apiUrl: string): Promise<{ child: Child; port: number }> {
  if (!existsSync(join(WEB_ROOT, WEB_DIST, 'standalone'))) {
    throw new Error('the web app is not built: pnpm --filter @chat/web build');
  }
  const server = prepareStandalone(WEB_DIST);
  const port = await freePort();
  const child = spawnChild(process.execPath, [server], {
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: String(port),
    HOSTNAME: '127.0.0.1',
    API_INTERNAL_URL: apiUrl,
  });
  await expectEventually(
    async () => {
      if (child.child.exitCode !== null) throw new Error(`web exited:\n${child.output()}`);
      if ((await fetch(`http://127.0.0.1:${port}/`)).status !== 200) throw new Error('not yet');
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return { child, port };
}

/**
 * Collects what the page's Content Security Policy refused, from the first script on. (Browser
 * code as text: this package is typed for Node, without the DOM.)
 */
async function watchViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript({
    content: `
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        window.cspViolations.push(
          event.violatedDirective + ' ' + (event.blockedURI || 'inline') +
            ' (' + event.sourceFile + ':' + event.lineNumber + ')',
        ),
      );`,
  });
}

const violationsOf = (page: Page) =>
  page.evaluate('window.cspViolations ?? []') as Promise<string[]>;

describe('browser defences: CSP on every page, framing, open redirects, the public proxy', () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let web: { child: Child; port: number };
  let edge: LoopbackEdge;
  let otherSite: Server;
  let otherSiteOrigin: string;
  let browser: Browser;

  beforeAll(async () => {
    const secret = 'edge-secret-for-the-browser-suite';
    redis = await RedisServer.start({ durable: false });
    const edgePort = await freePort();
    api = await spawnApi(
      redisEnvironment(redis.url, {
        ALLOWED_ORIGINS: `http://127.0.0.1:${edgePort}`,
        TRUSTED_PROXY_SECRET: secret,
        // The limits are measured in accounts.spec; this suite signs in often.
        LOGIN_RATE_PER_IP: '0',
        LOGIN_RATE_PER_ACCOUNT: '0',
      }),
    );
    web = await startWebServer(api.baseUrl);
    edge = await LoopbackEdge.start(
      { webPort: web.port, apiPort: api.port, trustedProxySecret: secret },
      edgePort,
    );
    // Another site, which frames the app.
    const framedUrl = `${edge.origin}/login`;
    otherSite = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(
        `<!doctype html><title>other site</title><iframe id="victim" src="${framedUrl}"></iframe>`,
      );
    });
    await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
    otherSiteOrigin = `http://localhost:${(otherSite.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  });
  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    const tail = (text: string) => text.split('\n').slice(-30).join('\n');
    console.error(
      `API output:\n${tail(api?.output() ?? '')}\nweb output:\n${tail(web?.child.output() ?? '')}`,
    );
  });
  afterAll(async () => {
    await browser?.close();
    otherSite?.close();
    await edge?.stop();
    await web?.child.stop();
    await api?.stop();
    await redis?.dispose();
  });

  const newContext = async (as: 'visitor' | keyof typeof DEMO) => {
    const context = await browser.newContext({ baseURL: edge.origin });
    await watchViolations(context);
    if (as !== 'visitor') {
      const response = await context.request.post('/api/auth/login', {
        data: { email: DEMO[as], password: 'demo1234' },
      });
      expect(response.status(), `login ${as}`).toBe(200);
    }
    return context;
  };

  it('loads every page with scripts running and no CSP violation, and refuses to be framed', async () => {
    const visits: string[] = [];
    const violations: string[] = [];
    let nonces = 0;
    for (const { path, as } of PAGES) {
      const context = await newContext(as);
      const page = await context.newPage();
      const consoleCsp: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) consoleCsp.push(message.text());
      });
      const socket = as === 'visitor' ? null : page.waitForEvent('websocket', { timeout: 15_000 });
      const response = await page.goto(path);
      const headers = response!.headers();
      expect(headers['content-security-policy'], path).toMatch(/'nonce-[^']+' 'strict-dynamic'/);
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('same-origin');
      nonces += 1;
      // The framework's scripts ran (React hydrated the page), so they carried the nonce.
      await page.waitForFunction("'next' in window", undefined, { timeout: 15_000 });
      if (socket) await socket;
      await page.waitForLoadState('networkidle');
      const seen = [...(await violationsOf(page)), ...consoleCsp];
      violations.push(...seen.map((violation) => `${path} as ${as}: ${violation}`));
      visits.push(`${path} (${as}) → ${new URL(page.url()).pathname}`);
      await context.close();
    }

    // Another site frames the login page.
    const framing = await browser.newContext();
    const page = await framing.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (/frame-ancestors|X-Frame-Options/i.test(message.text())) refusals.push(message.text());
    });
    await page.goto(`${otherSiteOrigin}/`);
    await expectEventually(() => expect(refusals.length).toBeGreaterThan(0), { timeoutMs: 10_000 });
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    const framedFields = frame ? await frame.locator('input[type=password]').count() : 0;
    await framing.close();

    record('browser-defences', {
      tried: `Chromium (${browser.version()}) loads every page of the app as a visitor and as demo users, through an edge to the built web server and API, listening for securitypolicyviolation events and CSP console messages; a page on another site frames the login page`,
      amount: `${PAGES.length} page visits (${PAGES.map(({ path }) => path).filter((path, index, all) => all.indexOf(path) === index).length} pages; the list is at the top of the test), 1 framing page`,
      result: `violations: ${violations.length}; every page had a policy with its own nonce, nosniff and Referrer-Policy, and its scripts ran (${visits.join('; ')}); the framed login page was refused (${refusals.length} refusal${refusals.length === 1 ? '' : 's'} in the console: frame-ancestors 'none'), password fields rendered inside the frame: ${framedFields}`,
      figures: {
        visits: PAGES.length,
        violations: violations.length,
        pagesWithNonce: nonces,
        framingRefusals: refusals.length,
        framedFields,
      },
    });
    expect(violations).toEqual([]);
    expect(framedFields).toBe(0);
  });

  it('sends every way off the site home after login, and the API refuses such links', async () => {
    const landings: string[] = [];
    let offSite = 0;
    for (const next of [...HOSTILE_NEXT, '/threads']) {
      const context = await newContext('visitor');
      // Anything off the site is answered here, so a redirect there shows at once.
      await context.route(
        (url) => url.hostname === 'evil.example',
        (route) => {
          offSite += 1;
          return route.fulfill({ status: 200, contentType: 'text/html', body: 'evil' });
        },
      );
      const page = await context.newPage();
      await page.goto(`/login?next=${next}`);
      await page.locator('input[type=email]').fill(DEMO.alice);
      await page.locator('input[type=password]').fill('demo1234');
      await page.locator('form button[type=submit]').click();
      await page.waitForURL((url) => url.pathname !== '/login', { timeout: 15_000 });
      landings.push(page.url().startsWith(edge.origin) ? new URL(page.url()).pathname : page.url());
      await context.close();
    }
    // Notification links are held to the same rule by the API, and by the bell.
    const linkStatuses: number[] = [];
    for (const link of HOSTILE_LINKS) {
      const response = await new HttpClient(api.baseUrl).post(
        '/api/internal/notifications',
        { userId: 'u_alice', type: 'x', title: 'x', link },
        { authorization: `Bearer ${INTERNAL_TOKEN}` },
      );
      linkStatuses.push(response.status);
    }
    const agreement = [...HOSTILE_LINKS, '/threads/th_1', '/a/../b'].every(
      (link) =>
        (sameSitePath(link) !== null) ===
        createNotificationBodySchema.safeParse({ userId: 'u', type: 't', title: 't', link })
          .success,
    );

    record('open-redirect', {
      tried: `alice signs in through the login page in Chromium with next= set to each of ${HOSTILE_NEXT.map((value) => `\`${value}\``).join(', ')}, and once to /threads; the internal API is asked for notifications linking to each of ${HOSTILE_LINKS.length} off-site paths (\`/\\evil.example\`, a tab, \`/.//\`, …)`,
      amount: `${HOSTILE_NEXT.length + 1} logins, ${HOSTILE_LINKS.length} notification links`,
      result: `landed on ${landings.join(', ')}; requests that reached evil.example: ${offSite}; notification links answered ${linkStatuses.join(', ')}; the browser's check and the API's agree on every link (one function, sameSitePath)`,
      figures: {
        logins: HOSTILE_NEXT.length + 1,
        offSite,
        landedHome: landings.filter((landing) => landing === '/').length,
        linksRefused: linkStatuses.filter((status) => status === 400).length,
        agreement,
      },
    });
    expect(landings).toEqual([...HOSTILE_NEXT.map(() => '/'), '/threads']);
    expect(offSite).toBe(0);
    expect(linkStatuses.every((status) => status === 400)).toBe(true);
    expect(agreement).toBe(true);
  });

  it("forwards only the browsers' routes through the web app's proxy", async () => {
    const statuses: number[] = [];
    for (const path of PRIVATE_SPELLINGS) {
      const response = await fetch(`${edge.origin}${path}`, {
        method: path.includes('internal') ? 'PUT' : 'GET',
        headers: {
          authorization: `Bearer ${INTERNAL_TOKEN}`,
          'content-type': 'application/json',
        },
        body: path.includes('internal')
          ? JSON.stringify({
              email: 'mallory@demo.test',
              name: 'Mallory',
              handle: 'mallory',
              role: 'admin',
              country: null,
            })
          : undefined,
      });
      statuses.push(response.status);
    }
    const created = await new HttpClient(api.baseUrl).get('/api/auth/me');
    const mallory = redis.client();
    const malloryExists = (await mallory.exists(redisKeys.user('u_mallory'))) === 1;
    mallory.disconnect();
    const publicRoutes = [
      await fetch(`${edge.origin}/api/health`),
      await fetch(`${edge.origin}/api/auth/me`),
    ].map((response) => response.status);

    record('proxy-allowlist', {
      tried:
        'a PUT of an admin user with the right internal token through the public edge, to the internal route spelled in upper and mixed case, with doubled slashes, dot segments (plain and encoded), an encoded letter and a trailing slash; and /api/metrics',
      amount: `${PRIVATE_SPELLINGS.length} requests`,
      result: `answers ${statuses.join(', ')}; user created: ${malloryExists}; the public routes still answer (${publicRoutes.join(', ')})`,
      figures: {
        requests: PRIVATE_SPELLINGS.length,
        notFound: statuses.filter((status) => status === 404).length,
        created: malloryExists,
      },
    });
    expect(created.status).toBe(401);
    expect(statuses.every((status) => status === 404)).toBe(true);
    expect(malloryExists).toBe(false);
    expect(publicRoutes).toEqual([200, 401]);
  });
});
