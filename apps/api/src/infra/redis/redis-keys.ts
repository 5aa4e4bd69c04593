/**
 * Every Redis key and channel the API uses, in one place.
 *
 * Keys are grouped by hash tag (`{…}`, decision 0019), so that on Redis Cluster every script
 * touches one slot: a conversation's keys share `{conversation:<id>}`, a user's `{user:<id>}`,
 * the platform-wide inbox and search indexes `{inbox}`, and the email and handle directory
 * `{directory}`. A room's channel carries the room's name as its tag (`chat:room:{<room>}`), and
 * the rooms of a conversation and of a user are named like those tags, so a script that changes
 * a conversation (or a user) can publish to its room from the same slot. A single node or a
 * Sentinel group ignores the tags; the layout is the same everywhere, which lets
 * `redis-cli --cluster import` move a single node's data into a cluster as it is.
 */
const PREFIX = 'chat';

const conversationTag = (id: string) => `${PREFIX}:{conversation:${id}}`;
const userTag = (id: string) => `${PREFIX}:{user:${id}}`;
const INBOX = `${PREFIX}:{inbox}`;
const DIRECTORY = `${PREFIX}:{directory}`;

export const redisKeys = {
  // A user's own keys.
  /** STRING: the user record (JSON). */
  user: (id: string) => userTag(id),
  /** SET of the conversation ids the user takes part in. */
  userConversations: (userId: string) => `${userTag(userId)}:conversations`,
  /** ZSET conversationId → activity: the conversations the user takes part in… */
  userInbox: (userId: string) => `${userTag(userId)}:inbox`,
  /** …and those of them with unread messages. */
  userUnreadInbox: (userId: string) => `${userTag(userId)}:inbox:unread`,
  /** HASH conversationId → unread count (non-zero only), and the user's total (STRING). */
  userUnread: (userId: string) => `${userTag(userId)}:unread`,
  userUnreadTotal: (userId: string) => `${userTag(userId)}:unread-total`,
  /**
   * HASH conversationId → the conversation's version the user's count and membership were
   * copied from (a copy from an older version is ignored: steps may arrive in any order).
   */
  userVersions: (userId: string) => `${userTag(userId)}:versions`,
  /** ZSET notificationId → creation order. */
  userNotifications: (userId: string) => `${userTag(userId)}:notifications`,
  /** SET of unread notification ids. */
  userUnreadNotifications: (userId: string) => `${userTag(userId)}:notifications:unread`,
  /** HASH: one notification of the user. */
  notification: (userId: string, id: string) => `${userTag(userId)}:notification:${id}`,
  /** STRING: the user's notification counter (their list's order). */
  notificationSequence: (userId: string) => `${userTag(userId)}:notification-seq`,
  /** ZSET notificationId → seq of the message it points at, for one conversation. */
  userConversationNotifications: (userId: string, conversationId: string) =>
    `${userTag(userId)}:notifications:conversation:${conversationId}`,
  /** ZSET session key → end of its absolute lifetime (ms): the user's sessions. */
  userSessions: (userId: string) => `${userTag(userId)}:sessions`,

  // The directory: unique emails and handles.
  userIdByEmail: (email: string) => `${DIRECTORY}:email:${email}`,
  userIdByHandle: (handle: string) => `${DIRECTORY}:handle:${handle}`,
  /** HASH userId → `{"email","handle"}`: what each user holds, to release it on a change. */
  directoryClaims: () => `${DIRECTORY}:claims`,

  // A conversation's own keys.
  /** STRING: the conversation record (JSON). */
  conversation: (id: string) => conversationTag(id),
  /** ZSET userId → join order. */
  participants: (conversationId: string) => `${conversationTag(conversationId)}:participants`,
  /** LIST of message JSON; the message with seq N sits at index N-1. */
  messageLog: (conversationId: string) => `${conversationTag(conversationId)}:messages`,
  /** HASH "authorId:clientMessageId" → seq. */
  messageIdempotency: (conversationId: string) => `${conversationTag(conversationId)}:client-ids`,
  /** ZSET of the seqs one author wrote in a conversation (for true-unread counts). */
  messagesByAuthor: (conversationId: string, userId: string) =>
    `${conversationTag(conversationId)}:author:${userId}`,
  /** HASH userId → last read seq. */
  readMarkers: (conversationId: string) => `${conversationTag(conversationId)}:read`,
  /**
   * HASH: `published` (the last seq announced; messages above it are not shown yet), `version`
   * (bumped by every change of a participant's count or membership), `record` (bumped by saves).
   */
  conversationState: (conversationId: string) => `${conversationTag(conversationId)}:state`,

  // The platform-wide inbox and search indexes.
  /** STRING: the activity sequence (each change of a conversation's place takes the next number). */
  activitySequence: () => `${INBOX}:activity-seq`,
  /** LIST: a conversation's last activity numbers, newest first, capped (for stable paging). */
  activityHistory: (conversationId: string) => `${INBOX}:activity:${conversationId}`,
  /** ZSET conversationId → activity: every conversation, and one country's. */
  inboxAll: () => `${INBOX}:all`,
  inboxCountry: (country: string) => `${INBOX}:country:${country}`,
  /** HASH conversationId → "<record version> <country>": how the indexes hold it. */
  indexedConversations: () => `${INBOX}:conversations`,
  /** HASH conversationId → the last seq that moved it to the top. */
  inboxTouched: () => `${INBOX}:touched`,
  /** ZSET of "token conversationId" members, all scored 0: prefix search by ZRANGE BYLEX. */
  searchAll: () => `${INBOX}:search:all`,
  searchCountry: (country: string) => `${INBOX}:search:country:${country}`,
  /** SET: a conversation's search tokens (to take them out of the search indexes). */
  conversationTokens: (conversationId: string) => `${INBOX}:tokens:${conversationId}`,

  // Keys that stand alone (any slot).
  /** SET of every conversation id, as written before the inbox indexes (read by the indexer). */
  legacyConversations: () => `${PREFIX}:conversations`,
  session: (key: string) => `${PREFIX}:session:${key}`,
  booking: (id: string) => `${PREFIX}:booking:${id}`,
  /** HASH `version`: the layout this Redis is written in (see RedisLayoutMigration). */
  layout: () => `${PREFIX}:layout`,
  /** STRING with a TTL: the boot that is migrating an older layout. */
  layoutMigrationLock: () => `${PREFIX}:layout:migrating`,
  /** ZSET connectionId → expiry (ms): the user's live sockets on every replica. */
  presence: (userId: string) => `${PREFIX}:presence:${userId}`,
  /** ZSET userId → latest connection expiry (ms): what the presence sweep scans. */
  presenceExpiries: () => `${PREFIX}:presence-expiries`,
  /** String with a TTL: a `typing` relay happened recently for this user and conversation. */
  typingThrottle: (conversationId: string, userId: string) =>
    `${PREFIX}:typing:${conversationId}:${userId}`,
  /** Prefix of a rate limit's counters (string with a TTL per key and window). */
  rateLimit: (name: string) => `${PREFIX}:rate:${name}`,
} as const;

/**
 * Pub/sub channels (sharded: SPUBLISH/SSUBSCRIBE): one per room, named `chat:room:{<room>}` so
 * that the room's name is the channel's hash tag.
 */
export const redisChannels = {
  prefix: `${PREFIX}:room:`,
  room: (room: string) => `${PREFIX}:room:{${room}}`,
  /** The room a channel of {@link room} carries. */
  roomOf: (channel: string) => channel.slice(`${PREFIX}:room:{`.length, -1),
} as const;
