import { type BenchResults, type Target } from './results';

const KB = 1000;
export const TARGETS = {
  fanoutVersusSocketIo: 1.5,
  fanoutVersusRawWs: 0.5,
  capacitySockets: 15_000,
  rssPerSocketBytes: 25 * KB,
  stormResumeMs: 10_000,
  proxyOverheadP50Ms: 2,
} as const;

const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;

/**
 * A ratio to two decimals, or to as many more as it takes for the text to stay on the same side
 * of `goal` as the ratio (0.4994 against 0.5 reads 0.499×, not 0.50×).
 */
export function ratioText(ratio: number, goal: number): string {
  let decimals = 2;
  while (decimals < 6 && Number(ratio.toFixed(decimals)) >= goal !== ratio >= goal) decimals++;
  return `${ratio.toFixed(decimals)}×`;
}

/** The issue's targets, judged from the printed numbers of one run. */
export function judgeTargets(results: Omit<BenchResults, 'targets'>): Target[] {
  const targets: Target[] = [];
  const fanout = (name: string) => results.fanout.find((entry) => entry.contender === name);
  const api = fanout('api');
  const socketIo = fanout('socketio');
  const rawWs = fanout('ws');
  if (api && socketIo) {
    const ratio =
      socketIo.bestDeliveredRate > 0
        ? api.bestDeliveredRate / socketIo.bestDeliveredRate
        : Infinity;
    targets.push({
      name: 'Fanout vs socket.io + Redis adapter',
      goal: `≥ ${TARGETS.fanoutVersusSocketIo}× its delivered rate at p99 ≤ 100 ms`,
      value: `${rate(api.bestDeliveredRate)} vs ${rate(socketIo.bestDeliveredRate)} (${ratioText(ratio, TARGETS.fanoutVersusSocketIo)})`,
      met: ratio >= TARGETS.fanoutVersusSocketIo,
    });
  }
  if (api && rawWs) {
    const ratio =
      rawWs.bestDeliveredRate > 0 ? api.bestDeliveredRate / rawWs.bestDeliveredRate : Infinity;
    targets.push({
      name: 'Fanout vs raw ws upper bound',
      goal: `≥ ${TARGETS.fanoutVersusRawWs}× its delivered rate at p99 ≤ 100 ms`,
      value: `${rate(api.bestDeliveredRate)} vs ${rate(rawWs.bestDeliveredRate)} (${ratioText(ratio, TARGETS.fanoutVersusRawWs)})`,
      met: ratio >= TARGETS.fanoutVersusRawWs,
    });
  }
  const capacity = results.capacity.find((entry) => entry.contender === 'api');
  if (capacity) {
    const wanted = Math.min(TARGETS.capacitySockets, results.parameters.capacity.steps.at(-1) ?? 0);
    targets.push({
      name: 'Capacity on one API process',
      goal: `${wanted.toLocaleString('en-US')} sockets at ≤ 25 KB RSS per socket`,
      value: `${capacity.reached.toLocaleString('en-US')} sockets, ${(capacity.rssPerSocketBytes / KB).toFixed(1)} KB RSS per socket`,
      met: capacity.reached >= wanted && capacity.rssPerSocketBytes <= TARGETS.rssPerSocketBytes,
    });
  }
  const storm = results.storm.find((entry) => entry.contender === 'api');
  if (storm) {
    targets.push({
      name: 'Reconnect storm',
      goal: `all ${storm.disconnected.toLocaleString('en-US')} dropped sockets resumed within 10 s, 0 lost, 0 duplicated`,
      value: `${storm.resumed}/${storm.disconnected} resumed, last after ${storm.allResumedMs === null ? 'never' : `${(storm.allResumedMs / 1000).toFixed(1)} s`}, ${storm.lost} lost, ${storm.duplicated} duplicated`,
      met:
        storm.disconnected > 0 &&
        storm.allResumedMs !== null &&
        storm.allResumedMs <= TARGETS.stormResumeMs &&
        storm.lost === 0 &&
        storm.duplicated === 0,
    });
  }
  if (results.http) {
    const overhead = results.http.proxyOverheadP50Ms;
    targets.push({
      name: 'Web proxy route overhead',
      goal: `≤ ${TARGETS.proxyOverheadP50Ms} ms at p50`,
      value:
        overhead === null
          ? `not measured: ${results.http.note ?? 'no proxy'}`
          : `${overhead.toFixed(2)} ms`,
      met: overhead === null ? null : overhead <= TARGETS.proxyOverheadP50Ms,
    });
  }
  return targets;
}
