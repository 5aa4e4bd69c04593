import { luaKey } from '../../redis/lua-keys';
import { LuaScript } from '../../redis/lua-script';
import { redisKeys } from '../../redis/redis-keys';

/**
 * The conversation's step of every change that concerns its participants (decision 0019): these
 * scripts touch only the keys of one conversation (`{conversation:<id>}`) and publish only to its
 * room, so they run on one slot of a Cluster. They own the truth: the log, who takes part and
 * the read markers, from which each participant's unread count is derived (what others wrote
 * above their marker). Each change bumps the conversation's `version`; what the participants'
 * own copies (their inbox, their counts) must become is read at that version
 * ({@link CONVERSATION_COPIES}), and the user steps apply it unless they already hold a newer one.
 *
 * Keys are computed from the conversation id (`c`) inside the scripts; KEYS[1] routes them.
 */
const KEYS_OF_CONVERSATION = `
local function keys_of(c)
  return {
    log = ${luaKey(redisKeys.messageLog, 'c')},
    idempotency = ${luaKey(redisKeys.messageIdempotency, 'c')},
    participants = ${luaKey(redisKeys.participants, 'c')},
    markers = ${luaKey(redisKeys.readMarkers, 'c')},
    state = ${luaKey(redisKeys.conversationState, 'c')},
  }
end
local function author_key(c, user)
  return ${luaKey(redisKeys.messagesByAuthor, 'c', 'user')}
end
`;

const CONVERSATION_LUA = `${KEYS_OF_CONVERSATION}
local function published_of(k)
  return tonumber(redis.call('HGET', k.state, 'published') or '0')
end

-- Messages from others above the user's read marker, among those announced.
local function derived_unread(c, k, user, published)
  local marker = math.min(tonumber(redis.call('HGET', k.markers, user) or '0'), published)
  local own = redis.call('ZCOUNT', author_key(c, user), '(' .. marker, published)
  return math.max(0, published - marker - own)
end

-- Announces the messages above the last announced one, up to up_to, in seq order: a message is
-- shown (read, replayed, counted) only from here on. O(1) per message: the participants' counts
-- are derived when their copies are made. Bumps the version when it announced anything.
local function publish_through(k, up_to, head, middle, tail, channel)
  local published = published_of(k)
  if up_to <= published then return end
  for offset, json in ipairs(redis.call('LRANGE', k.log, published, up_to - 1)) do
    redis.call('SPUBLISH', channel, head .. (published + offset) .. middle .. json .. tail)
  end
  redis.call('HSET', k.state, 'published', up_to)
  redis.call('HINCRBY', k.state, 'version', 1)
end

-- What the participants' copies (every one's, or only_user's) must become now: {version,
-- participants, their counts (what others wrote above their marker), the last announced message
-- or false}.
local function copies(c, k, only_user)
  local participants = redis.call('ZRANGE', k.participants, 0, -1)
  if only_user then
    participants = redis.call('ZSCORE', k.participants, only_user) and {only_user} or {}
  end
  local published = published_of(k)
  local counts = {}
  for index, user in ipairs(participants) do
    counts[index] = derived_unread(c, k, user, published)
  end
  local last = false
  if published > 0 then last = redis.call('LINDEX', k.log, published - 1) end
  return {tonumber(redis.call('HGET', k.state, 'version') or '0'), participants, counts, last}
end
`;

/**
 * Appends a message once per (author, clientMessageId): the next seq is the log's length + 1,
 * with the idempotency record and the author's index. With `announce` it is published at once
 * (nothing waits for replicas) and the copies are read after it (as {@link CONVERSATION_COPIES}:
 * every participant's, or only `copiesOf`'s); otherwise {@link PUBLISH_MESSAGES} does both once
 * replicas have it.
 * KEYS: log  ARGV: c, idempotencyField, jsonWithoutSeq, authorId, announce, head, middle, tail,
 *       channel, copiesOf (a user id, or '' for every participant)
 * Returns {created, seq, messageJson, version, participants, counts, last} (the copies empty
 * without `announce`).
 */
export const APPEND_MESSAGE = new LuaScript(`${CONVERSATION_LUA}
local c = ARGV[1]
local k = keys_of(c)
local created = 0
local seq = tonumber(redis.call('HGET', k.idempotency, ARGV[2]) or '0')
if seq == 0 then
  created = 1
  seq = redis.call('LLEN', k.log) + 1
  redis.call('RPUSH', k.log, '{"seq":' .. seq .. ',' .. ARGV[3])
  redis.call('HSET', k.idempotency, ARGV[2], seq)
  redis.call('ZADD', author_key(c, ARGV[4]), seq, seq)
end
local result = {0, {}, {}, false}
if ARGV[5] == '1' then
  publish_through(k, seq, ARGV[6], ARGV[7], ARGV[8], ARGV[9])
  result = copies(c, k, ARGV[10] ~= '' and ARGV[10] or nil)
end
return {created, seq, redis.call('LINDEX', k.log, seq - 1), result[1], result[2], result[3], result[4]}
`);

/**
 * Once replicas have the log up to `seq`: announces every message up to it that is not yet (in
 * seq order, whichever replica appended them), then reads the copies as {@link APPEND_MESSAGE}.
 * KEYS: log  ARGV: c, seq, head, middle, tail, channel, copiesOf
 * Returns {version, participants, counts, last}.
 */
export const PUBLISH_MESSAGES = new LuaScript(`${CONVERSATION_LUA}
local c = ARGV[1]
local k = keys_of(c)
publish_through(k, tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return copies(c, k, ARGV[7] ~= '' and ARGV[7] or nil)
`);

/**
 * What every participant's copy must become now (read only).
 * KEYS: participants  ARGV: c
 * Returns {version, participants, counts, last message or false}.
 */
export const CONVERSATION_COPIES = new LuaScript(`${CONVERSATION_LUA}
local c = ARGV[1]
return copies(c, keys_of(c), nil)
`);

/**
 * Moves the reader's marker forward (never back, never past the last announced message); their
 * count is what others wrote above it.
 * KEYS: markers  ARGV: c, userId, seq
 * Returns {marker, count, participant (0/1), version, changed (0/1)}.
 */
export const ADVANCE_MARKER = new LuaScript(`${CONVERSATION_LUA}
local c, user = ARGV[1], ARGV[2]
local k = keys_of(c)
local published = published_of(k)
local current = tonumber(redis.call('HGET', k.markers, user) or '0')
local marker = current
local target = math.min(tonumber(ARGV[3]), published)
if target > current then
  redis.call('HSET', k.markers, user, target)
  marker = target
end
local count = derived_unread(c, k, user, published)
if not redis.call('ZSCORE', k.participants, user) then return {marker, count, 0, 0, 0} end
if marker ~= current then return {marker, count, 1, redis.call('HINCRBY', k.state, 'version', 1), 1} end
return {marker, count, 1, tonumber(redis.call('HGET', k.state, 'version') or '0'), 0}
`);

/**
 * Adds a participant (scored by join order, so the list reads creator, manager, then joiners)
 * and returns the count of what others wrote above their marker. Already one, the version moves
 * all the same, so that their copy is made again.
 * KEYS: participants  ARGV: c, userId
 * Returns {added, version, count}.
 */
export const ADD_PARTICIPANT = new LuaScript(`${CONVERSATION_LUA}
local c, user = ARGV[1], ARGV[2]
local k = keys_of(c)
local added = 0
if not redis.call('ZSCORE', k.participants, user) then
  local last = redis.call('ZRANGE', k.participants, -1, -1, 'WITHSCORES')
  redis.call('ZADD', k.participants, (tonumber(last[2]) or 0) + 1, user)
  added = 1
end
return {added, redis.call('HINCRBY', k.state, 'version', 1), derived_unread(c, k, user, published_of(k))}
`);

/**
 * KEYS: participants  ARGV: c, userId
 * Returns {removed, version}.
 */
export const REMOVE_PARTICIPANT = new LuaScript(`${KEYS_OF_CONVERSATION}
local c, user = ARGV[1], ARGV[2]
local k = keys_of(c)
local removed = redis.call('ZREM', k.participants, user)
return {removed, redis.call('HINCRBY', k.state, 'version', 1)}
`);

/**
 * Saves the record, keeping the first `createdAt`; returns the record's version, which orders
 * the indexing step of concurrent saves.
 * KEYS: conversation, state  ARGV: json
 */
export const SAVE_CONVERSATION_RECORD = new LuaScript(`
local record = cjson.decode(ARGV[1])
local previous = redis.call('GET', KEYS[1])
if previous then record.createdAt = cjson.decode(previous).createdAt end
redis.call('SET', KEYS[1], cjson.encode(record))
return redis.call('HINCRBY', KEYS[2], 'record', 1)
`);

/**
 * The last announced message, or false.
 * KEYS: state, log
 */
export const LAST_MESSAGE = new LuaScript(`
local published = tonumber(redis.call('HGET', KEYS[1], 'published') or '0')
if published == 0 then return false end
return redis.call('LINDEX', KEYS[2], published - 1)
`);
