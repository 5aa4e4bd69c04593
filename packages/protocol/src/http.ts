import { z } from 'zod';
import {
  countrySchema,
  emailSchema,
  idSchema,
  messageSchema,
  notificationSchema,
  seqSchema,
  userSchema,
  userSummarySchema,
} from './common';
import { sameSitePath } from './same-site-path';

/** Upper bound of a message body, in characters. */
export const MESSAGE_BODY_MAX = 4000;
export const MESSAGES_PAGE_DEFAULT = 50;
export const MESSAGES_PAGE_MAX = 100;
export const NOTIFICATIONS_PAGE_DEFAULT = 20;
export const NOTIFICATIONS_PAGE_MAX = 100;
export const CONVERSATIONS_PAGE_DEFAULT = 30;
export const CONVERSATIONS_PAGE_MAX = 100;
export const CONVERSATION_SEARCH_MAX = 100;
/** `@handles` in one message that are looked up and notified; the rest are plain text. */
export const MENTIONS_PER_MESSAGE_MAX = 10;

// ---- Auth
export const loginBodySchema = z.object({
  email: emailSchema,
  password: z.string().min(1).max(1024),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const userResponseSchema = z.object({ user: userSchema });
export type UserResponse = z.infer<typeof userResponseSchema>;

// ---- Chat
export const messageBodySchema = z
  .string()
  .refine((body) => body.trim().length > 0, 'must not be blank')
  .pipe(z.string().max(MESSAGE_BODY_MAX));

export const clientMessageIdSchema = z.string().min(1).max(64);

export const postMessageBodySchema = z.object({
  body: messageBodySchema,
  clientMessageId: clientMessageIdSchema,
});
export type PostMessageBody = z.infer<typeof postMessageBodySchema>;

export const readBodySchema = z.object({ seq: seqSchema });
export type ReadBody = z.infer<typeof readBodySchema>;

export const conversationScopeSchema = z.enum(['mine', 'all']);
export type ConversationScope = z.infer<typeof conversationScopeSchema>;

/** A query-string flag: `true/false/1/0` (or a boolean, once parsed); absent means false. */
const queryFlagSchema = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1'),
]);

export const listConversationsQuerySchema = z.object({
  scope: conversationScopeSchema.default('mine'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(CONVERSATIONS_PAGE_MAX)
    .default(CONVERSATIONS_PAGE_DEFAULT),
  /** Opaque: the `nextCursor` of the previous page, with the same filters. */
  cursor: z.string().min(1).max(200).optional(),
  /** Only conversations with messages I have not read (those I take part in). */
  unread: queryFlagSchema.default(false),
  /** Admins and staff without a country: only this country's threads (`scope=all`). */
  country: countrySchema.optional(),
  /** Booking ref prefix, thread title, participant name or handle; case and accents ignored. */
  q: z.string().trim().min(1).max(CONVERSATION_SEARCH_MAX).optional(),
});
export type ListConversationsQuery = z.infer<typeof listConversationsQuerySchema>;

export const listMessagesQuerySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(MESSAGES_PAGE_MAX).default(MESSAGES_PAGE_DEFAULT),
});
export type ListMessagesQuery = z.infer<typeof listMessagesQuerySchema>;

export const conversationListItemSchema = z.object({
  id: idSchema,
  bookingRef: z.string(),
  title: z.string(),
  lastMessage: messageSchema.nullable(),
  unreadCount: z.number().int().nonnegative(),
});
export type ConversationListItem = z.infer<typeof conversationListItemSchema>;

export const conversationListResponseSchema = z.object({
  conversations: z.array(conversationListItemSchema),
  /** Pass as `cursor` for the next page; null at the end. */
  nextCursor: z.string().nullable(),
});
export type ConversationListResponse = z.infer<typeof conversationListResponseSchema>;

/** A calendar date, `YYYY-MM-DD`, in the booking's own terms (no time zone). */
export const calendarDateSchema = z.iso.date();

export const bookingStatusSchema = z.enum([
  'pending',
  'confirmed',
  'checked_in',
  'completed',
  'cancelled',
]);
export type BookingStatus = z.infer<typeof bookingStatusSchema>;

/** What the platform tells about a booking, all optional; shown in its thread's header. */
export const bookingDetailsSchema = z
  .object({
    /** The property or service booked. */
    name: z.string().trim().min(1).max(200).optional(),
    startDate: calendarDateSchema.optional(),
    endDate: calendarDateSchema.optional(),
    guests: z.number().int().min(1).max(1000).optional(),
    status: bookingStatusSchema.optional(),
  })
  .refine(
    (details) => !details.startDate || !details.endDate || details.startDate <= details.endDate,
    { message: 'must not be before startDate', path: ['endDate'] },
  );
export type BookingDetails = z.infer<typeof bookingDetailsSchema>;

export const bookingSummarySchema = z.object({
  id: idSchema,
  ref: z.string(),
  country: countrySchema,
  details: bookingDetailsSchema.optional(),
});

export const conversationResponseSchema = z.object({
  id: idSchema,
  booking: bookingSummarySchema,
  title: z.string(),
  participants: z.array(userSummarySchema),
  /** Per participant, the seq they have read up to (0: nothing yet). */
  readMarkers: z.record(idSchema, seqSchema).optional(),
});
export type ConversationResponse = z.infer<typeof conversationResponseSchema>;

export const conversationHeaderResponseSchema = z.object({
  creator: userSummarySchema,
  manager: userSummarySchema.nullable(),
  participants: z.array(userSummarySchema),
});
export type ConversationHeaderResponse = z.infer<typeof conversationHeaderResponseSchema>;

export const messagePageResponseSchema = z.object({
  messages: z.array(messageSchema),
  hasMore: z.boolean(),
});
export type MessagePageResponse = z.infer<typeof messagePageResponseSchema>;

export const messageResponseSchema = z.object({ message: messageSchema });

/** `GET /chat/unread` lists the counts of at most this many conversations, the most recent. */
export const UNREAD_CONVERSATIONS_MAX = 100;

export const unreadResponseSchema = z.object({
  total: z.number().int().nonnegative(),
  /** The most recently active conversations with unread messages (others: 0, or past the cap). */
  conversations: z.record(z.string(), z.number().int().nonnegative()),
  /** More conversations have unread messages than are listed (page them with `unread=true`). */
  hasMore: z.boolean(),
});
export type UnreadResponse = z.infer<typeof unreadResponseSchema>;

export const presenceResponseSchema = z.object({
  members: z.array(z.object({ userId: idSchema, online: z.boolean() })),
});
export type PresenceResponse = z.infer<typeof presenceResponseSchema>;

// ---- Notifications
export const listNotificationsQuerySchema = z.object({
  before: idSchema.optional(),
  /** Only unread notifications. */
  unread: queryFlagSchema.default(false),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(NOTIFICATIONS_PAGE_MAX)
    .default(NOTIFICATIONS_PAGE_DEFAULT),
});
export type ListNotificationsQuery = z.infer<typeof listNotificationsQuerySchema>;

export const notificationPageResponseSchema = z.object({
  notifications: z.array(notificationSchema),
  hasMore: z.boolean(),
});
export type NotificationPageResponse = z.infer<typeof notificationPageResponseSchema>;

export const unreadCountResponseSchema = z.object({ count: z.number().int().nonnegative() });

// ---- Internal (service to service)
export const upsertUserBodySchema = userSchema.omit({ id: true }).extend({
  password: z.string().min(8).max(1024).optional(),
});
export type UpsertUserBody = z.infer<typeof upsertUserBodySchema>;

/** `DELETE /internal/users/:id/sessions`: how many sessions were still open. */
export const endSessionsResponseSchema = z.object({ ended: z.number().int().nonnegative() });
export type EndSessionsResponse = z.infer<typeof endSessionsResponseSchema>;

export const upsertBookingBodySchema = z.object({
  ref: z.string().trim().min(1).max(64),
  country: countrySchema,
  creatorId: idSchema,
  managerId: idSchema.nullable(),
  /** Replaced as a whole by every upsert; omitted, the booking has none. */
  details: bookingDetailsSchema.optional(),
});
export type UpsertBookingBody = z.infer<typeof upsertBookingBodySchema>;

export const createNotificationBodySchema = z.object({
  userId: idSchema,
  type: z.string().trim().min(1).max(64),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(2000).optional(),
  link: z
    .string()
    .max(2000)
    .refine((link) => sameSitePath(link) !== null, 'must be a path on this site')
    .optional(),
});
export type CreateNotificationBody = z.infer<typeof createNotificationBodySchema>;

export const notificationResponseSchema = z.object({ notification: notificationSchema });

// ---- Health
export const engineSchema = z.enum(['redis', 'memory']);
export type Engine = z.infer<typeof engineSchema>;
export const healthResponseSchema = z.object({ status: z.literal('ok'), engine: engineSchema });

export { idSchema, seqSchema, userSummarySchema };
