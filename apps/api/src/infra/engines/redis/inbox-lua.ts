import { luaKey } from '../../redis/lua-keys';
import { LuaScript } from '../../redis/lua-script';
import { redisKeys } from '../../redis/redis-keys';

/** A conversation keeps this many of its latest activity numbers (see InboxRepository.activityAt). */
export const ACTIVITY_HISTORY = 32;

/**
 * The platform-wide step of a change (decision 0019): the activity sequence, the inbox of every
 * conversation and of each country, and the search indexes, all in the `{inbox}` slot. These
 * scripts know a conversation only by what they were told and what they recorded themselves
 * (its country, the record version and the last seq they placed), so a step that comes late or
 * twice changes nothing.
 */
const INBOX_LUA = `
local indexed_key = '${redisKeys.indexedConversations()}'

-- The record version and country the indexes hold for the conversation (nil, nil: none).
local function indexed(c)
  local entry = redis.call('HGET', indexed_key, c)
  if not entry then return nil, nil end
  local space = string.find(entry, ' ', 1, true)
  return tonumber(string.sub(entry, 1, space - 1)), string.sub(entry, space + 1)
end

-- The next activity number, as the conversation's latest.
local function take_activity(c)
  local activity = redis.call('INCR', '${redisKeys.activitySequence()}')
  local history = ${luaKey(redisKeys.activityHistory, 'c')}
  redis.call('LPUSH', history, activity)
  redis.call('LTRIM', history, 0, ${ACTIVITY_HISTORY - 1})
  redis.call('ZADD', '${redisKeys.inboxAll()}', activity, c)
  return activity
end

-- Replaces the conversation's search tokens with ARGV[first..].
local function set_tokens(c, country, old_country, first)
  local tokens_key = ${luaKey(redisKeys.conversationTokens, 'c')}
  for _, token in ipairs(redis.call('SMEMBERS', tokens_key)) do
    local member = token .. ' ' .. c
    redis.call('ZREM', '${redisKeys.searchAll()}', member)
    redis.call('ZREM', ${luaKey(redisKeys.searchCountry, 'country')}, member)
    if old_country then redis.call('ZREM', ${luaKey(redisKeys.searchCountry, 'old_country')}, member) end
  end
  redis.call('DEL', tokens_key)
  for i = first, #ARGV do
    local member = ARGV[i] .. ' ' .. c
    redis.call('ZADD', '${redisKeys.searchAll()}', 0, member)
    redis.call('ZADD', ${luaKey(redisKeys.searchCountry, 'country')}, 0, member)
    redis.call('SADD', tokens_key, ARGV[i])
  end
end
`;

/**
 * A message was announced: the conversation takes the next activity, once per seq (a retried or
 * late step for a seq already placed returns the current activity and moves nothing).
 * KEYS: touched  ARGV: c, seq
 * Returns the conversation's activity.
 */
export const TOUCH_CONVERSATION = new LuaScript(`${INBOX_LUA}
local c, seq = ARGV[1], tonumber(ARGV[2])
if seq <= tonumber(redis.call('HGET', KEYS[1], c) or '0') then
  return tonumber(redis.call('ZSCORE', '${redisKeys.inboxAll()}', c) or '0')
end
redis.call('HSET', KEYS[1], c, seq)
local activity = take_activity(c)
local _, country = indexed(c)
if country then redis.call('ZADD', ${luaKey(redisKeys.inboxCountry, 'country')}, activity, c) end
return activity
`);

/**
 * A conversation was saved: unless a newer save was indexed already, it enters the inboxes at
 * the top when it is new, moves between the country indexes when its country changed, and gets
 * its search tokens.
 * KEYS: indexed  ARGV: c, recordVersion, country, tokens…
 */
export const INDEX_CONVERSATION = new LuaScript(`${INBOX_LUA}
local c, version, country = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local old_version, old_country = indexed(c)
if old_version and old_version >= version then return 0 end
redis.call('HSET', KEYS[1], c, version .. ' ' .. country)
local activity = redis.call('ZSCORE', '${redisKeys.inboxAll()}', c)
if not activity then activity = take_activity(c) end
if old_country == country then old_country = nil end
if old_country then redis.call('ZREM', ${luaKey(redisKeys.inboxCountry, 'old_country')}, c) end
redis.call('ZADD', ${luaKey(redisKeys.inboxCountry, 'country')}, activity, c)
set_tokens(c, country, old_country, 4)
return 1
`);

/**
 * Replaces a conversation's search tokens (a participant was renamed or joined).
 * KEYS: indexed  ARGV: c, tokens…
 */
export const SET_SEARCH_TOKENS = new LuaScript(`${INBOX_LUA}
local _, country = indexed(ARGV[1])
if not country then return 0 end
set_tokens(ARGV[1], country, nil, 2)
return 1
`);
