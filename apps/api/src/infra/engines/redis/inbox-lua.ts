import { luaKey } from '../../redis/lua-keys';
import { redisKeys } from '../../redis/redis-keys';

/** A conversation keeps this many of its latest activity numbers (see InboxRepository.activityAt). */
export const ACTIVITY_HISTORY = 32;

/**
 * Lua functions shared by the scripts that keep the inbox indexes and unread counts. Their keys
 * are computed from ids inside the script (a participant list is only known there).
 */
export const INBOX_LUA = `
-- Messages from others above the user's read marker.
local function derived_unread(conversation, user)
  local marker = tonumber(redis.call('HGET', ${luaKey(redisKeys.readMarkers, 'user')}, conversation) or '0')
  local last = redis.call('LLEN', ${luaKey(redisKeys.messageLog, 'conversation')})
  local own = redis.call('ZCOUNT', ${luaKey(redisKeys.messagesByAuthor, 'conversation', 'user')}, '(' .. marker, '+inf')
  return math.max(0, last - marker - own)
end

-- Sets the user's count in the conversation, with their total and unread inbox; returns the total.
local function set_unread(conversation, user, count)
  local hash = ${luaKey(redisKeys.userUnread, 'user')}
  local total_key = ${luaKey(redisKeys.userUnreadTotal, 'user')}
  local unread_inbox = ${luaKey(redisKeys.userUnreadInbox, 'user')}
  local old = tonumber(redis.call('HGET', hash, conversation) or '0')
  local total = tonumber(redis.call('GET', total_key) or '0') + count - old
  if count ~= old then redis.call('SET', total_key, total) end
  if count > 0 then
    redis.call('HSET', hash, conversation, count)
    local activity = redis.call('ZSCORE', '${redisKeys.inboxAll()}', conversation)
    if activity then redis.call('ZADD', unread_inbox, activity, conversation) end
  else
    redis.call('HDEL', hash, conversation)
    redis.call('ZREM', unread_inbox, conversation)
  end
  return total
end
`;
