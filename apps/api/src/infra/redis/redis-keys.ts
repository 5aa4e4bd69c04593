/** Every Redis key the API writes, in one place. */
const PREFIX = 'chat';

export const redisKeys = {
  user: (id: string) => `${PREFIX}:user:${id}`,
  userIdByEmail: (email: string) => `${PREFIX}:user-email:${email}`,
  userIdByHandle: (handle: string) => `${PREFIX}:user-handle:${handle}`,
  session: (key: string) => `${PREFIX}:session:${key}`,
  /** ZSET session key → end of its absolute lifetime (ms): the user's sessions. */
  userSessions: (userId: string) => `${PREFIX}:user:${userId}:sessions`,
  booking: (id: string) => `${PREFIX}:booking:${id}`,
  conversation: (id: string) => `${PREFIX}:conversation:${id}`,
  /** SET of every conversation id, as written before the inbox indexes (read by the indexer). */
  legacyConversations: () => `${PREFIX}:conversations`,
  /** STRING: the activity sequence (each change of a conversation's place takes the next number). */
  activitySequence: () => `${PREFIX}:activity-seq`,
  /** LIST: a conversation's last activity numbers, newest first, capped (for stable paging). */
  activityHistory: (conversationId: string) => `${PREFIX}:conversation:${conversationId}:activity`,
  /** ZSET conversationId → activity: every conversation, and one country's. */
  inboxAll: () => `${PREFIX}:inbox:all`,
  inboxCountry: (country: string) => `${PREFIX}:inbox:country:${country}`,
  /** ZSET conversationId → activity: the conversations a user takes part in… */
  userInbox: (userId: string) => `${PREFIX}:user:${userId}:inbox`,
  /** …and those of them with unread messages. */
  userUnreadInbox: (userId: string) => `${PREFIX}:user:${userId}:inbox:unread`,
  /** HASH conversationId → unread count (non-zero only), and the user's total (STRING). */
  userUnread: (userId: string) => `${PREFIX}:user:${userId}:unread`,
  userUnreadTotal: (userId: string) => `${PREFIX}:user:${userId}:unread-total`,
  /** ZSET of "token conversationId" members, all scored 0: prefix search by ZRANGE BYLEX. */
  searchAll: () => `${PREFIX}:search:all`,
  searchCountry: (country: string) => `${PREFIX}:search:country:${country}`,
  /** SET: a conversation's search tokens (to take them out of the search indexes). */
  conversationTokens: (conversationId: string) => `${PREFIX}:conversation:${conversationId}:tokens`,
  /** HASH `version`: the layout this Redis is indexed for (see ConversationIndexer). */
  layout: () => `${PREFIX}:layout`,
  /** ZSET userId → join time. */
  participants: (conversationId: string) => `${PREFIX}:conversation:${conversationId}:participants`,
  /** SET of conversation ids the user participates in. */
  userConversations: (userId: string) => `${PREFIX}:user:${userId}:conversations`,
  /** LIST of message JSON; the message with seq N sits at index N-1. */
  messageLog: (conversationId: string) => `${PREFIX}:conversation:${conversationId}:messages`,
  /** HASH "authorId:clientMessageId" → seq. */
  messageIdempotency: (conversationId: string) =>
    `${PREFIX}:conversation:${conversationId}:client-ids`,
  /** ZSET of the seqs one author wrote in a conversation (for true-unread counts). */
  messagesByAuthor: (conversationId: string, userId: string) =>
    `${PREFIX}:conversation:${conversationId}:author:${userId}`,
  /** HASH conversationId → last read seq. */
  readMarkers: (userId: string) => `${PREFIX}:user:${userId}:read`,
  notification: (id: string) => `${PREFIX}:notification:${id}`,
  notificationSequence: () => `${PREFIX}:notification-seq`,
  /** ZSET notificationId → creation sequence. */
  userNotifications: (userId: string) => `${PREFIX}:user:${userId}:notifications`,
  /** SET of unread notification ids. */
  userUnreadNotifications: (userId: string) => `${PREFIX}:user:${userId}:notifications:unread`,
  /** ZSET notificationId → seq of the message it points at, for one conversation. */
  userConversationNotifications: (userId: string, conversationId: string) =>
    `${PREFIX}:user:${userId}:notifications:conversation:${conversationId}`,
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

/** Pub/sub channels: one per room, so a replica subscribes only to rooms it has members in. */
export const redisChannels = {
  prefix: `${PREFIX}:room:`,
  room: (room: string) => `${PREFIX}:room:${room}`,
} as const;
