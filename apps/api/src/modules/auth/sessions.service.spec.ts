import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DomainEvents } from '../../common/domain-events';
import { loadConfig } from '../../config/app-config';
import { MemorySessionRepository } from '../../infra/engines/memory/memory-session.repository';
import { sessionKeyOf, SessionsService } from './sessions.service';

const HOUR = 3600;

describe(SessionsService.name, () => {
  let store: MemorySessionRepository;
  let events: DomainEvents;
  let sut: SessionsService;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T08:00:00Z') });
    store = new MemorySessionRepository();
    events = new DomainEvents();
    const config = loadConfig({
      SESSION_IDLE_TIMEOUT_SECONDS: String(8 * HOUR),
      SESSION_TTL_SECONDS: String(24 * HOUR),
    });
    sut = new SessionsService(store, events, config);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const advanceHours = (hours: number) => vi.advanceTimersByTime(hours * HOUR * 1000);

  it('ends a session left unused for the idle timeout', async () => {
    const id = await sut.open('u1');
    advanceHours(7.9);
    expect(await store.find(sessionKeyOf(id))).not.toBeNull();
    advanceHours(0.2);
    expect(await sut.resume(id)).toBeNull();
  });

  it('pushes the idle timeout back while the session is used', async () => {
    const id = await sut.open('u1');
    for (let hour = 0; hour < 18; hour += 6) {
      advanceHours(6);
      expect(await sut.resume(id), `after ${hour + 6} h`).not.toBeNull();
    }
  });

  it('ends a session at its absolute lifetime however busy it is', async () => {
    const id = await sut.open('u1');
    for (let elapsed = 0; elapsed < 23.5; elapsed += 0.5) {
      advanceHours(0.5);
      expect(await sut.resume(id)).not.toBeNull();
    }
    advanceHours(0.6);
    expect(await sut.resume(id)).toBeNull();
  });

  it('ends every session of a user and says so once per session, for their sockets', async () => {
    const revoked: string[] = [];
    events.on('session.revoked', ({ sessionKey, userId }) => {
      revoked.push(`${userId}:${sessionKey}`);
    });
    const [first, second, other] = [
      await sut.open('u1'),
      await sut.open('u1'),
      await sut.open('u2'),
    ];
    expect(await sut.endAllOf('u1')).toBe(2);
    expect(revoked.sort()).toEqual(
      [`u1:${sessionKeyOf(first)}`, `u1:${sessionKeyOf(second)}`].sort(),
    );
    expect(await sut.resume(first)).toBeNull();
    expect(await sut.resume(second)).toBeNull();
    expect(await sut.resume(other)).not.toBeNull();
  });

  it('ends sessions stored before the idle timeout existed: no index could reach them', async () => {
    const legacyId = 'legacy-session-id';
    await store.create(
      sessionKeyOf(legacyId),
      { userId: 'u1', createdAt: new Date().toISOString() } as never,
      HOUR,
    );
    expect(await sut.resume(legacyId)).toBeNull();
    expect(await store.find(sessionKeyOf(legacyId))).toBeNull();
  });
});
