/**
 * Summarises `.cpuprofile` files from `pnpm bench --profile`: where the CPU went, by function
 * (self time) and by package, so a missed target can be traced without opening DevTools.
 *
 *   node bench/dist/tools/profile-summary.js bench/profiles/fanout-api-400-instance1.cpuprofile
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function packageOf(url: string): string {
  if (!url) return '(native / GC / idle)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node core';
  const source = /\/(apps|packages|bench)\/[^/]+\/(dist|src)\/(.*)$/.exec(url);
  return source ? `ours: ${source[3]!.split('/').slice(0, -1).join('/') || '.'}` : url;
}

const sumOf = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);

export function summarise(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').slice(-2).join('/');
    const key = `${functionName || '(anonymous)'}  ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const pkg = functionName === '(idle)' ? '(idle)' : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  // Inclusive time of our own functions (their callees included): which code path costs what.
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const seen = new Set<string>();
    for (
      let current: number | undefined = id;
      current !== undefined;
      current = parentOf.get(current)
    ) {
      const node = byId.get(current);
      if (!node || !packageOf(node.callFrame.url).startsWith('ours')) continue;
      const key = `${node.callFrame.functionName || '(anonymous)'}  ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  // Who calls the hottest native functions (writev, writeUtf8String, …).
  const callers = new Map<string, Map<string, number>>();
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node || node.callFrame.url || node.callFrame.functionName.startsWith('(')) continue;
    let parent = parentOf.get(id);
    // Up to the first frame outside Node's own JavaScript: the library or code that asked.
    const internal = (url: string | undefined) => !url || url.startsWith('node:');
    while (parent !== undefined && internal(byId.get(parent)?.callFrame.url))
      parent = parentOf.get(parent);
    const caller = parent === undefined ? '(root)' : byId.get(parent)!.callFrame;
    const callerKey =
      typeof caller === 'string'
        ? caller
        : `${caller.functionName || '(anonymous)'}  ${caller.url.split('/').slice(-2).join('/')}:${caller.lineNumber + 1}`;
    const name = node.callFrame.functionName;
    if (!callers.has(name)) callers.set(name, new Map());
    const map = callers.get(name)!;
    map.set(callerKey, (map.get(callerKey) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, micros]) => `${((micros / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
  return [
    `profile: ${(total / 1e6).toFixed(1)} s`,
    '',
    'by package (self time):',
    ...rows(byPackage),
    '',
    'by function (self time):',
    ...rows(byFunction),
    '',
    'our functions, inclusive (with what they call):',
    ...rows(inclusive),
    '',
    'callers of native functions:',
    ...[...callers.entries()]
      .sort((a, b) => sumOf(b[1]) - sumOf(a[1]))
      .slice(0, 4)
      .flatMap(([name, map]) => [
        `  ${name}:`,
        ...rows(map)
          .slice(0, 6)
          .map((row) => `    ${row}`),
      ]),
  ].join('\n');
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    process.stdout.write(
      `== ${file}\n${summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)}\n\n`,
    );
  }
}
