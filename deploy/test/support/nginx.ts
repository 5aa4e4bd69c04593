import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NGINX_TEMPLATE } from './paths';
import { acceptsConnections, expectEventually, freePort } from '@chat/test-support';

/** The placeholders the shipped template may contain: addresses, the port and the edge's secret. */
export const TEMPLATE_VARIABLES = [
  'CHAT_LISTEN_PORT',
  'CHAT_API_UPSTREAM',
  'CHAT_WEB_UPSTREAM',
  'CHAT_TRUSTED_PROXY_SECRET',
];

export type TemplateValues = Record<(typeof TEMPLATE_VARIABLES)[number], string>;

/**
 * Fills `${NAME}` the way the official nginx image's envsubst step does for the variables it
 * is given; nginx's own `$variables` are left alone. Fails on any placeholder left over.
 */
export function renderTemplate(
  values: TemplateValues,
  template = readFileSync(NGINX_TEMPLATE, 'utf8'),
) {
  const rendered = template.replace(/\$\{([A-Z0-9_]+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for ${placeholder}`);
    return value;
  });
  if (rendered.includes('${')) throw new Error('unfilled placeholder left in the template');
  return rendered;
}

export function nginxBinary(): string {
  const candidates = [process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/local/sbin/nginx'];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (found) return found;
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  if (!onPath) throw new Error('nginx is not installed (apt-get install nginx)');
  return onPath;
}

export interface NginxEdge {
  port: number;
  baseUrl: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Runs real nginx in the foreground as this user, on a free loopback port, with the shipped
 * template as its only server: pid, logs and temporary files live in a fresh directory.
 */
export async function startNginxEdge(
  upstreams: { api: string; web: string },
  options: { port?: number; trustedProxySecret?: string } = {},
): Promise<NginxEdge> {
  const directory = mkdtempSync(join(tmpdir(), 'chat-nginx-'));
  // Workers may run as another user when the master is root; let them use the temp paths.
  chmodSync(directory, 0o755);
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(directory, temp));
    chmodSync(join(directory, temp), 0o777);
  }
  const port = options.port ?? (await freePort());
  writeFileSync(
    join(directory, 'chat.conf'),
    renderTemplate({
      CHAT_LISTEN_PORT: `127.0.0.1:${port}`,
      CHAT_API_UPSTREAM: upstreams.api,
      CHAT_WEB_UPSTREAM: upstreams.web,
      CHAT_TRUSTED_PROXY_SECRET: options.trustedProxySecret ?? 'nginx-edge-test-secret',
    }),
  );
  const errorLog = join(directory, 'error.log');
  writeFileSync(
    join(directory, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(directory, 'nginx.pid')};`,
      `error_log ${errorLog} info;`,
      'events { worker_connections 512; }',
      'http {',
      `  access_log ${join(directory, 'access.log')};`,
      `  client_body_temp_path ${join(directory, 'client_body')};`,
      `  proxy_temp_path ${join(directory, 'proxy')};`,
      `  fastcgi_temp_path ${join(directory, 'fastcgi')};`,
      `  uwsgi_temp_path ${join(directory, 'uwsgi')};`,
      `  scgi_temp_path ${join(directory, 'scgi')};`,
      `  include ${join(directory, 'chat.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const binary = nginxBinary();
  const configuration = ['-p', directory, '-c', join(directory, 'nginx.conf'), '-e', errorLog];
  const check = spawnSync(binary, ['-t', ...configuration], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed:\n${check.stderr}`);

  const child: ChildProcess = spawn(binary, configuration, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readLog = () => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '') + stderr;
  await expectEventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited:\n${readLog()}`);
      await acceptsConnections(port);
    },
    { timeoutMs: 10_000 },
  );
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    errorLog: readLog,
    async stop() {
      // SIGTERM: fast shutdown, open WebSockets included.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
