import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { COMPOSE_FILE } from './paths';

export type Environment = Record<string, string | undefined>;

export class InterpolationError extends Error {}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Compose-spec interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+replacement}`, `${VAR+replacement}`, nested in the
 * default, error and replacement parts.
 */
export function interpolate(text: string, environment: Environment): string {
  const [value, end] = interpolateFrom(text, 0, environment, false);
  if (end !== text.length) throw new InterpolationError(`unexpected "}" in ${text}`);
  return value;
}

function interpolateFrom(
  text: string,
  start: number,
  environment: Environment,
  insideBraces: boolean,
): [string, number] {
  let output = '';
  let index = start;
  while (index < text.length) {
    const character = text[index]!;
    if (insideBraces && character === '}') return [output, index];
    if (character !== '$') {
      output += character;
      index += 1;
      continue;
    }
    const next = text[index + 1];
    if (next === '$') {
      output += '$';
      index += 2;
    } else if (next === '{') {
      const [value, end] = braced(text, index + 2, environment);
      output += value;
      index = end;
    } else {
      NAME.lastIndex = index + 1;
      const match = NAME.exec(text);
      if (!match) throw new InterpolationError(`invalid "$" in ${text}`);
      output += environment[match[0]] ?? '';
      index = NAME.lastIndex;
    }
  }
  if (insideBraces) throw new InterpolationError(`unterminated "\${" in ${text}`);
  return [output, index];
}

function braced(text: string, start: number, environment: Environment): [string, number] {
  NAME.lastIndex = start;
  const match = NAME.exec(text);
  if (!match) throw new InterpolationError(`invalid variable name in ${text}`);
  const name = match[0];
  let index = NAME.lastIndex;
  const value = environment[name];
  if (text[index] === '}') return [value ?? '', index + 1];
  const colon = text[index] === ':';
  if (colon) index += 1;
  const operator = text[index];
  if (operator !== '-' && operator !== '?' && operator !== '+') {
    throw new InterpolationError(`invalid modifier in ${text}`);
  }
  const [argument, end] = interpolateFrom(text, index + 1, environment, true);
  const unset = colon ? value === undefined || value === '' : value === undefined;
  const after = end + 1;
  switch (operator) {
    case '-':
      return [unset ? argument : value!, after];
    case '?':
      if (unset) throw new InterpolationError(`${name}: ${argument || 'required'}`);
      return [value!, after];
    case '+':
      return [unset ? '' : argument, after];
  }
}

/** Interpolates every string of a parsed YAML tree (values only, as compose does). */
export function interpolateTree(node: unknown, environment: Environment): unknown {
  if (typeof node === 'string') return interpolate(node, environment);
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, environment));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolateTree(value, environment)]),
    );
  }
  return node;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  networks?: Record<string, { aliases?: string[] } | null> | string[];
  labels?: string[] | Record<string, string>;
  healthcheck?: { test: string[]; interval?: string; start_period?: string };
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  ports?: unknown[];
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, { external?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

export function readComposeText(file = COMPOSE_FILE): string {
  return readFileSync(file, 'utf8');
}

/** The file as written, before interpolation. */
export function loadRawCompose(file = COMPOSE_FILE): ComposeFile {
  return parse(readComposeText(file)) as ComposeFile;
}

/** The file as compose would run it with `environment` as its `.env`. */
export function loadCompose(environment: Environment, file = COMPOSE_FILE): ComposeFile {
  return interpolateTree(loadRawCompose(file), environment) as ComposeFile;
}

/** `networks:` in either form, as a map. */
export function serviceNetworks(
  service: ComposeService,
): Record<string, { aliases?: string[] } | null> {
  const networks = service.networks ?? {};
  return Array.isArray(networks)
    ? Object.fromEntries(networks.map((name) => [name, null]))
    : networks;
}

/** Every variable name the compose file reads. */
export function referencedVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.replaceAll('$$', '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    names.add(match[1]!);
  }
  return names;
}

/** Parses a Go-style duration such as `60s`, `1m30s`, into seconds. */
export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let consumed = 0;
  for (const match of duration.matchAll(pattern)) {
    total += Number(match[1]) * units[match[2]!]!;
    consumed += match[0].length;
  }
  if (consumed !== duration.length || consumed === 0)
    throw new Error(`not a duration: ${duration}`);
  return total;
}
