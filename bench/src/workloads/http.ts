import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SESSION_COOKIE } from '@chat/protocol';
import { type ApiContender } from '../contenders/api-contender';
import { LatencyHistogram } from '../histogram';
import { REPOSITORY_ROOT } from '../paths';
import { freePort } from '@chat/test-support';
import { ServerProcess } from '../infra/server-process';
import { WorkerPool } from '../load/pool';
import { type HttpPathResult, type HttpResult } from '../results';
import { type RunContext } from './context';

/** Where `next build` (output: standalone) puts the web server in this monorepo. */
export const WEB_SERVER_ENTRY = join(
  REPOSITORY_ROOT,
  'apps/web/.next/standalone/apps/web/server.js',
);
const WEB_PROXY_ROUTE = join(REPOSITORY_ROOT, 'apps/web/app/api/[...path]/route.ts');

/**
 * The HTTP path: message posts straight to one API instance, then the same posts through the
 * web app's `/api/*` proxy route (its standalone `server.js`) in front of that instance.
 */
export async function runHttp(context: RunContext, api: ApiContender): Promise<HttpResult> {
  const parameters = context.profile.http;
  const progress = context.progress;
  const deployment = await api.deploy({ instances: 1, heartbeatMs: 25_000, inspect: false });
  const pool = WorkerPool.start(1);
  const { session, conversationId } = api.httpUser();
  const path = `/api/chat/conversations/${conversationId}/messages`;
  const apiBase = `http://127.0.0.1:${deployment.servers[0]!.port}`;
  let web: ServerProcess | null = null;
  const result: HttpResult = { paths: [], proxyOverheadP50Ms: null };
  try {
    const targets: Array<{ target: HttpPathResult['target']; base: string }> = [
      { target: 'direct', base: apiBase },
    ];
    if (!context.webProxy) {
      result.note = 'the web proxy route was left out of this run';
    } else if (existsSync(WEB_SERVER_ENTRY) && existsSync(WEB_PROXY_ROUTE)) {
      const port = await freePort();
      web = await ServerProcess.start({
        label: 'web',
        entry: WEB_SERVER_ENTRY,
        port,
        environment: {
          NODE_ENV: 'production',
          HOSTNAME: '127.0.0.1',
          API_INTERNAL_URL: apiBase,
        },
        readyPath: '/',
      });
      targets.push({ target: 'web proxy', base: `http://127.0.0.1:${port}` });
    } else {
      result.note = existsSync(WEB_PROXY_ROUTE)
        ? `the web app is not built (${WEB_SERVER_ENTRY} is missing): run \`pnpm --filter @chat/web build\` to measure the proxy route`
        : 'apps/web has no /api proxy route yet: only the direct path was measured';
    }
    for (const { target, base } of targets) {
      progress.update(
        `http ${target}: ${parameters.sequential} sequential posts, then ${parameters.concurrency} concurrent for ${parameters.durationMs / 1000} s`,
      );
      const measured = await pool.http({
        type: 'http',
        url: `${base}${path}`,
        cookie: `${SESSION_COOKIE}=${encodeURIComponent(session)}`,
        sequential: parameters.sequential,
        concurrency: parameters.concurrency,
        durationMs: parameters.durationMs,
      });
      const sequential = LatencyHistogram.from([measured.sequential]).summary();
      const load = LatencyHistogram.from([measured.load]).summary();
      const pathResult: HttpPathResult = {
        target,
        url: `${base}${path}`,
        sequential,
        load: {
          concurrency: parameters.concurrency,
          postsPerSecond: (measured.loadCount * 1000) / measured.loadDurationMs,
          latencyMs: load,
          errors: measured.errors,
        },
        statuses: measured.statuses,
      };
      result.paths.push(pathResult);
      progress.log(
        `http ${target}: sequential p50 ${sequential.p50.toFixed(2)} ms; ${Math.round(pathResult.load.postsPerSecond)} posts/s at ${parameters.concurrency} concurrent, p99 ${load.p99.toFixed(1)} ms, statuses ${JSON.stringify(measured.statuses)}`,
      );
    }
    const direct = result.paths.find((path) => path.target === 'direct');
    const proxied = result.paths.find((path) => path.target === 'web proxy');
    if (direct && proxied)
      result.proxyOverheadP50Ms = proxied.sequential.p50 - direct.sequential.p50;
  } finally {
    await pool.close();
    await web?.stop();
    await deployment.stop();
  }
  return result;
}
