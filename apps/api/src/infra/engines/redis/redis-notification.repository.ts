import { Inject, Injectable } from '@nestjs/common';
import { type Notification } from '@chat/protocol';
import {
  NotificationRepository,
  type NotificationSource,
} from '../../../modules/notifications/notification.repository';
import { pipelineReplies, type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

// Creates it unless a notification with this id exists (a retried step): returns 1 or 0. Every
// key is the user's (one slot); the order is the user's own counter.
// KEYS: notification, userList, userUnread, sequence[, conversationIndex]
// ARGV: id, fields as JSON[, seq of the message it points at]
const CREATE_NOTIFICATION = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local order = redis.call('INCR', KEYS[4])
local fields = cjson.decode(ARGV[2])
for name, value in pairs(fields) do redis.call('HSET', KEYS[1], name, value) end
redis.call('ZADD', KEYS[2], order, ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
if KEYS[5] then redis.call('ZADD', KEYS[5], ARGV[3], ARGV[1]) end
return 1
`;

// KEYS: conversationIndex, userUnread  ARGV: seq, readAt, notificationKeyPrefix
const MARK_READ_IN_CONVERSATION = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if #ids == 0 then return 0 end
local changed = 0
for _, id in ipairs(ids) do
  if redis.call('SREM', KEYS[2], id) == 1 then
    redis.call('HSET', ARGV[3] .. id, 'readAt', ARGV[2])
    changed = changed + 1
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return changed
`;

// KEYS: userList, userUnread, notification  ARGV: id, readAt
const MARK_READ = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[3], 'readAt', ARGV[2])
return 1
`;

// KEYS: userUnread  ARGV: readAt, notificationKeyPrefix
const MARK_ALL_READ = `
local ids = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(ids) do redis.call('HSET', ARGV[2] .. id, 'readAt', ARGV[1]) end
redis.call('DEL', KEYS[1])
return #ids
`;

// Unread ones, newest first, below a score: walks the user's list in batches and keeps those
// still in the unread set, until it has one more than the page holds.
// KEYS: userList, userUnread  ARGV: maxScore, limit + 1, batch
const UNREAD_PAGE = `
local wanted = tonumber(ARGV[2])
local batch = tonumber(ARGV[3])
local found = {}
local offset = 0
while #found < wanted do
  local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'LIMIT', offset, batch)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    if redis.call('SISMEMBER', KEYS[2], id) == 1 then
      found[#found + 1] = id
      if #found == wanted then break end
    end
  end
  offset = offset + batch
end
return found
`;

type StoredNotification = Record<keyof Notification, string>;

function fromHash(hash: StoredNotification): Notification {
  return {
    id: hash.id,
    type: hash.type,
    title: hash.title,
    body: hash.body || null,
    link: hash.link || null,
    createdAt: hash.createdAt,
    readAt: hash.readAt || null,
  };
}

@Injectable()
export class RedisNotificationRepository extends NotificationRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async create(
    userId: string,
    notification: Notification,
    source?: NotificationSource,
  ): Promise<boolean> {
    const fields: StoredNotification = {
      id: notification.id,
      type: notification.type,
      title: notification.title,
      body: notification.body ?? '',
      link: notification.link ?? '',
      createdAt: notification.createdAt,
      readAt: notification.readAt ?? '',
    };
    const keys = [
      redisKeys.notification(userId, notification.id),
      redisKeys.userNotifications(userId),
      redisKeys.userUnreadNotifications(userId),
      redisKeys.notificationSequence(userId),
    ];
    const args = [notification.id, JSON.stringify(fields)];
    if (source) {
      keys.push(redisKeys.userConversationNotifications(userId, source.conversationId));
      args.push(String(source.seq));
    }
    const created = await this.redis.eval(CREATE_NOTIFICATION, keys.length, ...keys, ...args);
    return created === 1;
  }

  async page(
    userId: string,
    options: { before?: string; limit: number; unread?: boolean },
  ): Promise<{ notifications: Notification[]; hasMore: boolean } | null> {
    const listKey = redisKeys.userNotifications(userId);
    let maxScore = '+inf';
    if (options.before !== undefined) {
      const score = await this.redis.zscore(listKey, options.before);
      if (score === null) return null;
      maxScore = `(${score}`;
    }
    const ids = options.unread
      ? ((await this.redis.eval(
          UNREAD_PAGE,
          2,
          listKey,
          redisKeys.userUnreadNotifications(userId),
          maxScore,
          options.limit + 1,
          200,
        )) as string[])
      : await this.redis.zrevrangebyscore(listKey, maxScore, '-inf', 'LIMIT', 0, options.limit + 1);
    const pageIds = ids.slice(0, options.limit);
    const pipeline = this.redis.pipeline();
    for (const id of pageIds) pipeline.hgetall(redisKeys.notification(userId, id));
    const notifications = (await pipelineReplies<StoredNotification>(pipeline)).map(fromHash);
    return { notifications, hasMore: ids.length > options.limit };
  }

  async unreadCount(userId: string): Promise<number> {
    return this.redis.scard(redisKeys.userUnreadNotifications(userId));
  }

  async markRead(userId: string, notificationId: string): Promise<boolean | null> {
    const result = (await this.redis.eval(
      MARK_READ,
      3,
      redisKeys.userNotifications(userId),
      redisKeys.userUnreadNotifications(userId),
      redisKeys.notification(userId, notificationId),
      notificationId,
      new Date().toISOString(),
    )) as number;
    return result < 0 ? null : result === 1;
  }

  async markAllRead(userId: string): Promise<number> {
    return (await this.redis.eval(
      MARK_ALL_READ,
      1,
      redisKeys.userUnreadNotifications(userId),
      new Date().toISOString(),
      redisKeys.notification(userId, ''),
    )) as number;
  }

  async markReadInConversation(
    userId: string,
    conversationId: string,
    seq: number,
  ): Promise<number> {
    return (await this.redis.eval(
      MARK_READ_IN_CONVERSATION,
      2,
      redisKeys.userConversationNotifications(userId, conversationId),
      redisKeys.userUnreadNotifications(userId),
      String(seq),
      new Date().toISOString(),
      redisKeys.notification(userId, ''),
    )) as number;
  }
}
