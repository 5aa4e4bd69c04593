import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { Cluster } from 'ioredis';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';
import { LAYOUT_VERSION } from './redis-inbox.repository';

/** How long one boot may hold the migration before another may take it over. */
const LOCK_MS = 120_000;

/** The keys of the layout before hash tags (layout 1 and 2), as they were named. */
const old = {
  conversation: (id: string) => `chat:conversation:${id}`,
  user: (id: string) => `chat:user:${id}`,
  notification: (id: string) => `chat:notification:${id}`,
  emailPattern: 'chat:user-email:*',
  handlePattern: 'chat:user-handle:*',
  inboxAll: 'chat:inbox:all',
  inboxCountryPrefix: 'chat:inbox:country:',
  activitySequence: 'chat:activity-seq',
  searchAll: 'chat:search:all',
  searchCountryPrefix: 'chat:search:country:',
  notificationSequence: 'chat:notification-seq',
};

/** Escapes a literal for a SCAN MATCH pattern. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}

/**
 * Moves a Redis written before the hash-tagged layout (decision 0019) into it, once, at boot:
 * every key of a conversation, of a user and of the directory under its tag, read markers from
 * each user to each conversation, notifications under their user. The indexes of layout 2 keep
 * their activity numbers (so threads keep their order); ConversationIndexer, which runs after
 * this, makes every index and count right (and builds them for layout 1).
 * Each key is moved only if it is still where it was, so an interrupted migration goes on where
 * it stopped; one boot migrates while the others wait for it.
 *
 * Stop every replica of the previous version first: it would go on writing the old names.
 * A Cluster is never migrated in place (its keys could not be renamed across slots): migrate on
 * the single node, then import it (`redis-cli --cluster import`).
 */
@Injectable()
export class RedisLayoutMigration implements OnModuleInit {
  private readonly logger = new Logger(RedisLayoutMigration.name);

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async onModuleInit(): Promise<void> {
    if (!(await this.holdsOldLayout())) return;
    if (this.redis instanceof Cluster) {
      throw new Error(
        'This Redis Cluster holds data written before the hash-tagged layout (decision 0019): migrate it on a single node (start this version against it once), then import it into the cluster',
      );
    }
    const redis = this.redis;
    const owner = randomUUID();
    const locked = await redis.set(redisKeys.layoutMigrationLock(), owner, 'PX', LOCK_MS, 'NX');
    if (locked !== 'OK') {
      this.logger.log('another replica is migrating the Redis layout; waiting for it');
      const deadline = Date.now() + LOCK_MS + 10_000;
      while (await this.holdsOldLayout()) {
        if (Date.now() > deadline)
          throw new Error('the layout migration of another replica did not end');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return;
    }
    try {
      const started = Date.now();
      const counts = await this.migrate(redis);
      await redis.hset(redisKeys.layout(), 'migrated', LAYOUT_VERSION);
      this.logger.log(
        `moved ${counts.conversations} conversations and ${counts.users} users to the layout of version ${LAYOUT_VERSION} in ${Date.now() - started} ms`,
      );
    } finally {
      if ((await redis.get(redisKeys.layoutMigrationLock())) === owner)
        await redis.del(redisKeys.layoutMigrationLock());
    }
  }

  /** Data in the old names that has not been migrated. */
  private async holdsOldLayout(): Promise<boolean> {
    if (Number((await this.redis.hget(redisKeys.layout(), 'migrated')) ?? 0) >= LAYOUT_VERSION)
      return false;
    const [legacy, inbox] = await Promise.all([
      this.redis.exists(redisKeys.legacyConversations()),
      this.redis.exists(old.inboxAll),
    ]);
    if (legacy || inbox) return true;
    if (this.redis instanceof Cluster) return false;
    return (await this.scan(this.redis, old.emailPattern, 1)).length > 0;
  }

  private async migrate(redis: Redis): Promise<{ conversations: number; users: number }> {
    // The conversations, kept in the set the indexer reads (the old inbox index goes below).
    const conversations = [
      ...new Set([
        ...(await redis.smembers(redisKeys.legacyConversations())),
        ...(await redis.zrange(old.inboxAll, 0, -1)),
      ]),
    ];
    if (conversations.length) await redis.sadd(redisKeys.legacyConversations(), ...conversations);
    const users = new Set<string>();
    for (const id of conversations) {
      for (const userId of await this.migrateConversation(redis, id, conversations))
        users.add(userId);
    }
    for (const key of await this.scan(redis, old.emailPattern)) {
      const userId = await redis.get(key);
      if (userId) users.add(userId);
    }
    for (const userId of users) await this.migrateUser(redis, userId);
    await this.move(redis, old.inboxAll, redisKeys.inboxAll());
    await this.move(redis, old.activitySequence, redisKeys.activitySequence());
    await this.move(redis, old.searchAll, redisKeys.searchAll());
    for (const [prefix, to] of [
      [old.inboxCountryPrefix, redisKeys.inboxCountry],
      [old.searchCountryPrefix, redisKeys.searchCountry],
    ] as const) {
      for (const key of await this.scan(redis, `${prefix}*`))
        await this.move(redis, key, to(key.slice(prefix.length)));
    }
    for (const pattern of [old.emailPattern, old.handlePattern])
      await this.deleteAll(redis, await this.scan(redis, pattern));
    await redis.del(old.notificationSequence);
    return { conversations: conversations.length, users: users.size };
  }

  /** Moves a conversation's keys; returns its participants. */
  private async migrateConversation(
    redis: Redis,
    id: string,
    conversations: readonly string[],
  ): Promise<string[]> {
    const from = old.conversation(id);
    await this.move(redis, from, redisKeys.conversation(id));
    await this.move(redis, `${from}:participants`, redisKeys.participants(id));
    await this.move(redis, `${from}:messages`, redisKeys.messageLog(id));
    await this.move(redis, `${from}:client-ids`, redisKeys.messageIdempotency(id));
    // Another conversation whose id extends this one's (`<id>:author:…`) owns its own keys.
    const longer = conversations.filter(
      (other) => other !== id && old.conversation(other).startsWith(`${from}:`),
    );
    for (const key of await this.scan(redis, `${globLiteral(from)}:author:*`)) {
      if (longer.some((other) => key.startsWith(`${old.conversation(other)}:`))) continue;
      await this.move(
        redis,
        key,
        redisKeys.messagesByAuthor(id, key.slice(`${from}:author:`.length)),
      );
    }
    await this.move(redis, `${from}:activity`, redisKeys.activityHistory(id));
    await this.move(redis, `${from}:tokens`, redisKeys.conversationTokens(id));
    // Every message of the old layout was announced as it was appended.
    const length = await redis.llen(redisKeys.messageLog(id));
    await redis.hsetnx(redisKeys.conversationState(id), 'published', length);
    return redis.zrange(redisKeys.participants(id), 0, -1);
  }

  private async migrateUser(redis: Redis, userId: string): Promise<void> {
    const from = old.user(userId);
    await this.move(redis, from, redisKeys.user(userId));
    await this.move(redis, `${from}:conversations`, redisKeys.userConversations(userId));
    await this.move(redis, `${from}:notifications`, redisKeys.userNotifications(userId));
    await this.move(
      redis,
      `${from}:notifications:unread`,
      redisKeys.userUnreadNotifications(userId),
    );
    await this.move(redis, `${from}:sessions`, redisKeys.userSessions(userId));
    const byConversation = `${from}:notifications:conversation:`;
    for (const key of await this.scan(redis, `${globLiteral(byConversation)}*`)) {
      const conversationId = key.slice(byConversation.length);
      await this.move(redis, key, redisKeys.userConversationNotifications(userId, conversationId));
    }
    const notifications = await redis.zrange(
      redisKeys.userNotifications(userId),
      0,
      -1,
      'WITHSCORES',
    );
    for (let at = 0; at < notifications.length; at += 2) {
      const id = notifications[at]!;
      await this.move(redis, old.notification(id), redisKeys.notification(userId, id));
    }
    if (notifications.length)
      await redis.set(redisKeys.notificationSequence(userId), notifications.at(-1)!, 'NX');
    // Read markers now live with their conversation.
    const markers = await redis.hgetall(`${from}:read`);
    for (const [conversationId, marker] of Object.entries(markers))
      await redis.hset(redisKeys.readMarkers(conversationId), userId, marker);
    await redis.del(`${from}:read`);
    await this.move(redis, `${from}:inbox`, redisKeys.userInbox(userId));
    await this.move(redis, `${from}:inbox:unread`, redisKeys.userUnreadInbox(userId));
    await this.move(redis, `${from}:unread`, redisKeys.userUnread(userId));
    await this.move(redis, `${from}:unread-total`, redisKeys.userUnreadTotal(userId));
    const json = await redis.get(redisKeys.user(userId));
    if (!json) return;
    const { email, handle } = JSON.parse(json) as { email: string; handle: string };
    await redis.set(redisKeys.userIdByEmail(email), userId);
    await redis.set(redisKeys.userIdByHandle(handle), userId);
    await redis.hset(redisKeys.directoryClaims(), userId, JSON.stringify({ email, handle }));
  }

  /** Renames `from` to `to` if `from` is still there. */
  private async move(redis: Redis, from: string, to: string): Promise<void> {
    if (from === to || !(await redis.exists(from))) return;
    await redis.rename(from, to);
  }

  private async scan(redis: Redis, pattern: string, enough = Infinity): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0' && keys.length < enough);
    return keys;
  }

  private async deleteAll(redis: Redis, keys: readonly string[]): Promise<void> {
    for (let at = 0; at < keys.length; at += 500) await redis.del(...keys.slice(at, at + 500));
  }
}
