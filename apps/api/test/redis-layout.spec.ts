import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { redisChannels, redisKeys } from '../src/infra/redis/redis-keys';
import { rooms } from '../src/modules/realtime/delivery/room-events';

/** Ids a platform may send, braces and separators included. */
const IDS = ['th_bk_1001', 'u_linh', 'a:b', 'x{y}z', '}', '{', 'Nguyễn', ''];

const sameSlot = (keys: string[]) => new Set(keys.map((key) => calculateSlot(key))).size === 1;

/** Decision 0019: every script touches one slot of a Redis Cluster. */
describe('the Redis key layout', () => {
  it("keeps a conversation's keys and its room's channel in one slot, whatever its id", () => {
    for (const id of IDS) {
      expect(
        sameSlot([
          redisKeys.conversation(id),
          redisKeys.participants(id),
          redisKeys.messageLog(id),
          redisKeys.messageIdempotency(id),
          redisKeys.messagesByAuthor(id, 'someone'),
          redisKeys.readMarkers(id),
          redisKeys.conversationState(id),
          redisChannels.room(rooms.conversation(id)),
        ]),
        id,
      ).toBe(true);
    }
  });

  it("keeps a user's keys and their room's channel in one slot, whatever their id", () => {
    for (const id of IDS) {
      expect(
        sameSlot([
          redisKeys.user(id),
          redisKeys.userConversations(id),
          redisKeys.userInbox(id),
          redisKeys.userUnreadInbox(id),
          redisKeys.userUnread(id),
          redisKeys.userUnreadTotal(id),
          redisKeys.userVersions(id),
          redisKeys.userNotifications(id),
          redisKeys.userUnreadNotifications(id),
          redisKeys.notification(id, 'n1'),
          redisKeys.notificationSequence(id),
          redisChannels.room(rooms.user(id)),
        ]),
        id,
      ).toBe(true);
    }
  });

  it('keeps the platform-wide indexes in one slot, and the directory in one slot', () => {
    expect(
      sameSlot([
        redisKeys.activitySequence(),
        redisKeys.activityHistory('c1'),
        redisKeys.inboxAll(),
        redisKeys.inboxCountry('VN'),
        redisKeys.indexedConversations(),
        redisKeys.inboxTouched(),
        redisKeys.searchAll(),
        redisKeys.searchCountry('TH'),
        redisKeys.conversationTokens('c2'),
      ]),
    ).toBe(true);
    expect(
      sameSlot([
        redisKeys.userIdByEmail('a@example.test'),
        redisKeys.userIdByHandle('a'),
        redisKeys.directoryClaims(),
      ]),
    ).toBe(true);
  });

  it('spreads conversations and users over the slots', () => {
    const slots = new Set(
      Array.from({ length: 1000 }, (_, index) =>
        calculateSlot(redisKeys.messageLog(`th_${index}`)),
      ),
    );
    expect(slots.size).toBeGreaterThan(950);
  });

  it('names the room a channel carries', () => {
    for (const id of IDS) {
      const room = rooms.conversation(id);
      expect(redisChannels.roomOf(redisChannels.room(room))).toBe(room);
    }
  });
});
