import { LuaScript } from '../../redis/lua-script';
import { redisKeys } from '../../redis/redis-keys';

/** Keys of one user that {@link APPLY_COPIES} takes, in this order. */
export function copyKeys(userId: string): string[] {
  return [
    redisKeys.userVersions(userId),
    redisKeys.userUnread(userId),
    redisKeys.userUnreadTotal(userId),
    redisKeys.userInbox(userId),
    redisKeys.userUnreadInbox(userId),
    redisKeys.userConversations(userId),
  ];
}
const KEYS_PER_USER = 6;
const ARGS_PER_USER = 4;
/** ARGV entries before the per-user ones. */
const FIXED_ARGS = 8;

/** Why a copy is applied, which decides whether the user's sockets are told. */
export type CopyCause =
  /** A message was announced: tell when the conversation moved in the user's inbox. */
  | 'message'
  /** A read that moved the marker or the count: tell unless a newer copy is there already. */
  | 'read'
  /** A join or a leave: tell nothing (the client asks when it opens the thread). */
  | 'quiet';

/**
 * The user's step of a change in one conversation (decision 0019): each user's copy of the
 * conversation (their membership, their count and total, their inbox and unread inbox) is set to
 * what the conversation's step returned, unless the user already holds a copy of a newer version
 * (steps of concurrent changes may arrive in any order, and a retried step twice). The
 * conversation's place in their inbox only moves up (ZADD GT), so a late step never moves it
 * back. Each user's keys share their slot; on a single node all users go in one call.
 *
 * KEYS: per user, {@link copyKeys}
 * ARGV: c, activity (0: unchanged), cause, lastMessageJson (or ''), unread template head,
 *       middle, withMessage, tail; then per user: version, participant (1/0), count, channel
 * Returns each user's unread total (0 for a message: nobody reads it).
 */
export const APPLY_COPIES = new LuaScript(`
local c = ARGV[1]
local activity = tonumber(ARGV[2])
local cause = ARGV[3]
local last = ARGV[4]
local totals = {}
for index = 0, #KEYS / ${KEYS_PER_USER} - 1 do
  local key = index * ${KEYS_PER_USER}
  local versions, unread, total_key = KEYS[key + 1], KEYS[key + 2], KEYS[key + 3]
  local inbox, unread_inbox, member_of = KEYS[key + 4], KEYS[key + 5], KEYS[key + 6]
  local arg = ${FIXED_ARGS} + index * ${ARGS_PER_USER}
  local version, count, channel = tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 3]), ARGV[arg + 4]
  -- The version the copy was made from, negative when the user had left.
  local held = tonumber(redis.call('HGET', versions, c) or '0')
  local applied = version > math.abs(held)
  local member, count_now, total, changed
  if applied then
    member = ARGV[arg + 2] == '1'
    if member then
      redis.call('HSET', versions, c, version)
      if held <= 0 then redis.call('SADD', member_of, c) end
    else
      redis.call('HSET', versions, c, -version)
      redis.call('SREM', member_of, c)
      redis.call('ZREM', inbox, c)
      count = 0
    end
    count_now = tonumber(redis.call('HGET', unread, c) or '0')
    if count ~= count_now then
      total = redis.call('INCRBY', total_key, count - count_now)
      if count > 0 then redis.call('HSET', unread, c, count) else redis.call('HDEL', unread, c) end
      count_now = count
      changed = true
    end
  else
    member = held > 0 or (held == 0 and redis.call('SISMEMBER', member_of, c) == 1)
  end
  if member then
    local moved, score = false, nil
    if activity > 0 and redis.call('ZADD', inbox, 'GT', 'CH', activity, c) == 1 then
      moved, score = true, activity
    end
    if count_now == nil then count_now = tonumber(redis.call('HGET', unread, c) or '0') end
    if count_now > 0 then
      if moved or changed or not applied then
        score = score or redis.call('ZSCORE', inbox, c)
        if score then redis.call('ZADD', unread_inbox, score, c) end
      end
    else
      redis.call('ZREM', unread_inbox, c)
    end
    if (cause == 'message' and moved) or (cause == 'read' and applied) then
      total = total or tonumber(redis.call('GET', total_key) or '0')
      local frame = ARGV[5] .. count_now .. ARGV[6] .. total
      if cause == 'message' and last ~= '' then frame = frame .. ARGV[7] .. last end
      redis.call('SPUBLISH', channel, frame .. ARGV[8])
    end
  else
    redis.call('ZREM', unread_inbox, c)
  end
  if cause ~= 'message' then total = total or tonumber(redis.call('GET', total_key) or '0') end
  totals[index + 1] = total or 0
end
return totals
`);

export interface UserCopy {
  userId: string;
  version: number;
  participant: boolean;
  count: number;
}

/** ARGV of {@link APPLY_COPIES} for `copies` (the channel of each user's room given). */
export function copyArguments(
  conversationId: string,
  activity: number,
  cause: CopyCause,
  lastMessageJson: string | null,
  template: { head: string; middle: string; withMessage: string; tail: string },
  copies: readonly UserCopy[],
  channelOf: (userId: string) => string,
): Array<string | number> {
  return [
    conversationId,
    activity,
    cause,
    lastMessageJson ?? '',
    template.head,
    template.middle,
    template.withMessage,
    template.tail,
    ...copies.flatMap((copy) => [
      copy.version,
      copy.participant ? 1 : 0,
      copy.count,
      channelOf(copy.userId),
    ]),
  ];
}
