/**
 * The part of Traefik v3's HTTP routing that the stack relies on, written from its documented
 * semantics: routers are tried by priority (highest first; by default the length of the rule
 * string), the first whose rule matches wins, its middlewares rewrite the request, and its
 * service forwards to the container port.
 */

export interface TraefikRouter {
  name: string;
  rule: string;
  priority?: number;
  entryPoints: string[];
  tls: boolean;
  /** `tls.certresolver`: where Traefik gets the certificate for the host. */
  certResolver?: string;
  service?: string;
  middlewares: string[];
}

export interface TraefikConfiguration {
  routers: Map<string, TraefikRouter>;
  middlewares: Map<string, Record<string, string>>;
  services: Map<string, { port?: number }>;
  enabled: boolean;
  dockerNetwork?: string;
}

/** Reads Traefik's docker-provider labels (list form `key=value`, or a map). */
export function readLabels(labels: string[] | Record<string, string>): TraefikConfiguration {
  const entries = Array.isArray(labels)
    ? labels.map((label) => {
        const at = label.indexOf('=');
        return [label.slice(0, at), label.slice(at + 1)] as const;
      })
    : Object.entries(labels);
  const configuration: TraefikConfiguration = {
    routers: new Map(),
    middlewares: new Map(),
    services: new Map(),
    enabled: false,
  };
  const router = (name: string): TraefikRouter => {
    let found = configuration.routers.get(name);
    if (!found) {
      found = { name, rule: '', entryPoints: [], tls: false, middlewares: [] };
      configuration.routers.set(name, found);
    }
    return found;
  };
  for (const [key, value] of entries) {
    if (key === 'traefik.enable') configuration.enabled = value === 'true';
    else if (key === 'traefik.docker.network') configuration.dockerNetwork = value;
    let match = /^traefik\.http\.routers\.([^.]+)\.(.+)$/.exec(key);
    if (match) {
      const target = router(match[1]!);
      const property = match[2]!;
      if (property === 'rule') target.rule = value;
      else if (property === 'priority') target.priority = Number(value);
      else if (property === 'entrypoints') target.entryPoints = value.split(',');
      else if (property === 'tls') target.tls = value === 'true';
      else if (property === 'tls.certresolver') target.certResolver = value;
      else if (property === 'service') target.service = value;
      else if (property === 'middlewares') target.middlewares = value.split(',');
      continue;
    }
    match = /^traefik\.http\.middlewares\.([^.]+)\.(.+)$/.exec(key);
    if (match) {
      const options = configuration.middlewares.get(match[1]!) ?? {};
      options[match[2]!] = value;
      configuration.middlewares.set(match[1]!, options);
      continue;
    }
    match = /^traefik\.http\.services\.([^.]+)\.loadbalancer\.server\.port$/.exec(key);
    if (match) configuration.services.set(match[1]!, { port: Number(value) });
  }
  return configuration;
}

/** A router as Dokploy generates it for a domain set in its UI (host, optional path). */
export function dokployDomainRouter(host: string, path = '/'): TraefikRouter {
  return {
    name: 'dokploy-generated-websecure',
    rule: `Host(\`${host}\`)${path !== '/' ? ` && PathPrefix(\`${path}\`)` : ''}`,
    entryPoints: ['websecure'],
    tls: true,
    service: 'dokploy-generated-websecure',
    middlewares: [],
  };
}

/** Traefik's effective priority: the explicit one, else the length of the rule. */
export function effectivePriority(router: TraefikRouter): number {
  return router.priority && router.priority > 0 ? router.priority : router.rule.length;
}

export interface HttpRequestLine {
  host: string;
  path: string;
  entryPoint: string;
}

/** The router Traefik picks for a request, or undefined (Traefik answers 404). */
export function pickRouter(
  routers: TraefikRouter[],
  request: HttpRequestLine,
): TraefikRouter | undefined {
  return routers
    .filter((router) => router.entryPoints.includes(request.entryPoint))
    .sort((a, b) => effectivePriority(b) - effectivePriority(a))
    .find((router) => matches(router.rule, request));
}

/** The options of each middleware a router uses, in order; throws on an undefined one. */
export function middlewaresOf(
  router: TraefikRouter,
  middlewares: Map<string, Record<string, string>>,
): Record<string, string>[] {
  return router.middlewares.map((name) => {
    const options = middlewares.get(name.replace(/@docker$/, ''));
    if (!options) throw new Error(`router ${router.name} uses undefined middleware ${name}`);
    return options;
  });
}

/**
 * The request headers a router's `headers` middlewares set (`customrequestheaders.<Name>`,
 * replacing any the client sent), and the response headers they add (HSTS from `stsseconds`).
 */
export function headersOf(
  router: TraefikRouter,
  middlewares: Map<string, Record<string, string>>,
): { request: Record<string, string>; response: Record<string, string> } {
  const request: Record<string, string> = {};
  const response: Record<string, string> = {};
  for (const options of middlewaresOf(router, middlewares)) {
    for (const [key, value] of Object.entries(options)) {
      const custom = /^headers\.customrequestheaders\.(.+)$/i.exec(key);
      if (custom) request[custom[1]!.toLowerCase()] = value;
      if (key.toLowerCase() === 'headers.stsseconds') {
        response['strict-transport-security'] = `max-age=${value}`;
      }
    }
  }
  return { request, response };
}

/** Applies a router's stripprefix middlewares to the path, as Traefik does. */
export function forwardedPath(
  router: TraefikRouter,
  middlewares: Map<string, Record<string, string>>,
  path: string,
): string {
  let result = path;
  for (const options of middlewaresOf(router, middlewares)) {
    const prefixes = options['stripprefix.prefixes'];
    // Headers and redirects leave the path alone.
    if (prefixes === undefined) continue;
    const prefix = prefixes
      .split(',')
      .map((candidate) => candidate.trim())
      .find((candidate) => result.startsWith(candidate));
    if (prefix) {
      result = result.slice(prefix.length);
      if (!result.startsWith('/')) result = `/${result}`;
    }
  }
  return result;
}

// ── rule language: Host, Path, PathPrefix, &&, ||, !, parentheses ─────────────────────────

type Token =
  | { kind: 'matcher'; name: string; argument: string }
  | { kind: 'and' | 'or' | 'not' | 'open' | 'close' };

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < rule.length) {
    const rest = rule.slice(index);
    const space = /^\s+/.exec(rest);
    if (space) {
      index += space[0].length;
      continue;
    }
    const matcher = /^([A-Za-z]+)\(\s*`([^`]*)`\s*\)/.exec(rest);
    if (matcher) {
      tokens.push({ kind: 'matcher', name: matcher[1]!, argument: matcher[2]! });
      index += matcher[0].length;
    } else if (rest.startsWith('&&')) {
      tokens.push({ kind: 'and' });
      index += 2;
    } else if (rest.startsWith('||')) {
      tokens.push({ kind: 'or' });
      index += 2;
    } else if (rest.startsWith('!')) {
      tokens.push({ kind: 'not' });
      index += 1;
    } else if (rest.startsWith('(')) {
      tokens.push({ kind: 'open' });
      index += 1;
    } else if (rest.startsWith(')')) {
      tokens.push({ kind: 'close' });
      index += 1;
    } else {
      throw new Error(`cannot parse rule at "${rest}"`);
    }
  }
  return tokens;
}

/** Evaluates a rule for a request; throws on matchers this model does not know. */
export function matches(rule: string, request: Pick<HttpRequestLine, 'host' | 'path'>): boolean {
  const tokens = tokenize(rule);
  let position = 0;
  const peek = () => tokens[position];
  const orExpression = (): boolean => {
    let value = andExpression();
    while (peek()?.kind === 'or') {
      position += 1;
      const right = andExpression();
      value = value || right;
    }
    return value;
  };
  const andExpression = (): boolean => {
    let value = unary();
    while (peek()?.kind === 'and') {
      position += 1;
      const right = unary();
      value = value && right;
    }
    return value;
  };
  const unary = (): boolean => {
    const token = tokens[position++];
    if (!token) throw new Error(`rule ends early: ${rule}`);
    if (token.kind === 'not') return !unary();
    if (token.kind === 'open') {
      const value = orExpression();
      if (tokens[position++]?.kind !== 'close') throw new Error(`unbalanced: ${rule}`);
      return value;
    }
    if (token.kind !== 'matcher') throw new Error(`unexpected ${token.kind} in ${rule}`);
    switch (token.name) {
      case 'Host':
        return request.host.toLowerCase() === token.argument.toLowerCase();
      case 'Path':
        return request.path === token.argument;
      case 'PathPrefix':
        return request.path.startsWith(token.argument);
      default:
        throw new Error(`matcher ${token.name} is not modelled`);
    }
  };
  const result = orExpression();
  if (position !== tokens.length) throw new Error(`trailing tokens in ${rule}`);
  return result;
}
