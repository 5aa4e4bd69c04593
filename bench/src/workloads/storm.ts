import { now, sleep } from '../clock';
import { BENCH_ORIGIN, type Contender } from '../contenders/contender';
import { settle } from '../infra/process-stats';
import { type SocketSpec } from '../load/ipc';
import { WorkerPool } from '../load/pool';
import { type StormResult } from '../results';
import { profileCpu, type RunContext } from './context';
import { account, drain } from './fanout';

function mergeRecords(records: Array<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record)) merged[key] = (merged[key] ?? 0) + count;
  }
  return merged;
}

function percentile(sorted: number[], percent: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((percent / 100) * sorted.length) - 1)]!;
}

/**
 * Reconnect storm: subscribed sockets on two instances, one writer per room on the instance
 * that survives, SIGKILL the other while messages flow. Clients reconnect to the survivor with
 * full-jitter backoff and resume where the server can (the API's `since`, socket.io's connection
 * state recovery with the streams adapter); then every socket's deliveries are checked against
 * every message sent.
 */
export async function runStorm(context: RunContext, contender: Contender): Promise<StormResult> {
  const { storm: parameters, workers } = context.profile;
  const progress = context.progress;
  const deployment = await contender.deploy({
    instances: 2,
    heartbeatMs: 25_000,
    inspect: context.profileDir !== null,
  });
  const pool = WorkerPool.start(workers);
  const sockets = parameters.rooms * parameters.membersPerRoom;
  const [survivor, victim] = deployment.endpoints as [string, string];
  try {
    const specs: SocketSpec[][] = Array.from({ length: workers }, () => []);
    for (let room = 0; room < parameters.rooms; room++) {
      for (let member = 0; member < parameters.membersPerRoom; member++) {
        const id = room * parameters.membersPerRoom + member;
        const home = member % 2 === 0 ? survivor : victim;
        specs[id % workers]!.push({
          id,
          urls: [home, home === survivor ? victim : survivor],
          role: 'member',
          room: contender.room(room),
          credential: contender.memberCredential(room, member),
        });
      }
      specs[room % workers]!.push({
        id: sockets + room,
        urls: [survivor],
        role: 'writer',
        room: contender.room(room),
        credential: contender.writerCredential(room),
      });
    }
    progress.update(`storm ${contender.label}: connecting ${sockets} sockets`);
    const connected = await pool.connect(
      specs.map((list) => ({
        type: 'connect',
        kind: contender.kind,
        sockets: list,
        concurrency: 50,
        origin: BENCH_ORIGIN,
        reconnect: { baseMs: parameters.reconnectBaseMs, capMs: parameters.reconnectCapMs },
        timeoutMs: 30_000,
      })),
    );
    const failed = connected.reduce((sum, part) => sum + part.failed, 0);
    if (failed > 0) {
      throw new Error(
        `storm ${contender.name}: ${failed} sockets failed to connect: ${connected.flatMap((part) => part.errors).join('; ')}`,
      );
    }

    await settle(() => [...deployment.pids(), ...pool.pids]);
    const step = 1;
    const startAt = now();
    const rate = parameters.rooms * parameters.ratePerRoom;
    const writersPerWorker = specs.map(
      (list) => list.filter((spec) => spec.role === 'writer').length,
    );
    const publishing = pool.publish(
      specs.map((_, worker) => ({
        type: 'publish',
        step,
        rate: (rate * writersPerWorker[worker]!) / parameters.rooms,
        durationMs: parameters.publishMs,
        windowStart: startAt,
        windowEnd: startAt + parameters.publishMs,
        from: 'writers',
      })),
    );
    await sleep(parameters.killAfterMs);
    progress.update(`storm ${contender.label}: SIGKILL instance 2 (${sockets / 2} sockets)`);
    const stopProfile = await profileCpu(context, deployment, `storm-${contender.name}`, [0]);
    const killedAt = now();
    await deployment.servers[1]!.stop('SIGKILL');
    const published = await publishing;

    // Bounded wait for every dropped socket to be back, then for the last deliveries.
    const resumeDeadline = Date.now() + 60_000;
    for (;;) {
      const reports = await pool.resumeReport();
      const resumes = reports.flatMap((report) => report.resumes);
      const pending = resumes.filter((resume) => resume.resumedAt === null).length;
      progress.update(
        `storm ${contender.label}: ${resumes.length - pending}/${resumes.length} resumed`,
      );
      if ((resumes.length > 0 && pending === 0) || Date.now() > resumeDeadline) break;
      await sleep(250);
    }
    await stopProfile();
    const sent = published.reduce((sum, part) => sum + part.sent, 0);
    await drain(pool, sent * parameters.membersPerRoom, 10_000);

    const reports = await pool.resumeReport();
    const collected = await pool.collect(step);
    const tally = account(published, collected);
    const resumes = reports.flatMap((report) => report.resumes);
    const times = resumes
      .filter((resume) => resume.resumedAt !== null)
      .map((resume) => resume.resumedAt! - killedAt)
      .sort((a, b) => a - b);
    const errors: Record<string, number> = {};
    for (const part of collected) {
      for (const [code, count] of Object.entries(part.errors))
        errors[code] = (errors[code] ?? 0) + count;
    }
    const result: StormResult = {
      contender: contender.name,
      sockets,
      disconnected: resumes.length,
      resumed: times.length,
      allResumedMs: times.length === resumes.length && times.length > 0 ? times.at(-1)! : null,
      resumeMs: { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? 0 },
      sent: tally.sent,
      expectedDeliveries: tally.expected,
      delivered: tally.delivered,
      lost: tally.missing,
      duplicated: tally.duplicates,
      recovered:
        contender.kind === 'api' ? null : resumes.filter((resume) => resume.recoveries > 0).length,
      seqGaps: reports.reduce((sum, report) => sum + report.gaps, 0),
      reconnectAttempts: resumes.reduce((sum, resume) => sum + resume.attempts, 0),
      reconnectFailures: mergeRecords(reports.map((report) => report.reconnectFailures)),
      rate,
      errors,
    };
    progress.log(
      `storm ${contender.label}: ${result.resumed}/${result.disconnected} resumed${result.recovered === null ? '' : ` (${result.recovered} with their session restored)`}, all within ${result.allResumedMs === null ? '—' : `${(result.allResumedMs / 1000).toFixed(1)} s`}, lost ${result.lost}, duplicated ${result.duplicated}`,
    );
    return result;
  } finally {
    await pool.close();
    await deployment.stop();
  }
}
