/** Every Redis key the API writes, in one place. */
const PREFIX = 'chat';

export const redisKeys = {
  user: (id: string) => `${PREFIX}:user:${id}`,
  userIdByEmail: (email: string) => `${PREFIX}:user-email:${email}`,
  userIdByHandle: (handle: string) => `${PREFIX}:user-handle:${handle}`,
  session: (key: string) => `${PREFIX}:session:${key}`,
  booking: (id: string) => `${PREFIX}:booking:${id}`,
  conversation: (id: string) => `${PREFIX}:conversation:${id}`,
  conversationsAll: () => `${PREFIX}:conversations`,
  conversationsByCountry: (country: string) => `${PREFIX}:conversations:country:${country}`,
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
