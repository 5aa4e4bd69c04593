import { z } from 'zod';
import { idSchema, messageSchema, notificationSchema, seqSchema } from './common';
import { clientMessageIdSchema, messageBodySchema } from './http';

/** Largest frame a client may send, in bytes; larger frames close the socket with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** The server relays `typing` at most this often per user and conversation; clients may throttle too. */
export const TYPING_RELAY_INTERVAL_MS = 2_000;

const refSchema = z.string().max(64).optional();

/** The envelope every frame shares; `data` is checked per event below. */
export const frameEnvelopeSchema = z.object({
  event: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()),
  ref: refSchema,
});

const clientFrame = <E extends string, D extends z.ZodType>(event: E, data: D) =>
  z.object({ event: z.literal(event), data, ref: refSchema });

export const subscribeDataSchema = z.object({
  conversationId: idSchema,
  since: seqSchema.optional(),
});
export const unsubscribeDataSchema = z.object({ conversationId: idSchema });
export const messageSendDataSchema = z.object({
  conversationId: idSchema,
  body: messageBodySchema,
  clientMessageId: clientMessageIdSchema,
});
export const typingDataSchema = z.object({ conversationId: idSchema });
export const readDataSchema = z.object({ conversationId: idSchema, seq: seqSchema });
export const pingDataSchema = z.object({});

export const clientFrameSchema = z.discriminatedUnion('event', [
  clientFrame('subscribe', subscribeDataSchema),
  clientFrame('unsubscribe', unsubscribeDataSchema),
  clientFrame('message.send', messageSendDataSchema),
  clientFrame('typing', typingDataSchema),
  clientFrame('read', readDataSchema),
  clientFrame('ping', pingDataSchema),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientEvent = ClientFrame['event'];
export const CLIENT_EVENTS = clientFrameSchema.options.map(
  (option) => option.shape.event.value,
) as ClientEvent[];

const serverFrame = <E extends string, D extends z.ZodType>(event: E, data: D) =>
  z.object({ event: z.literal(event), data, ref: refSchema });

export const errorFrameCodeSchema = z.enum([
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'internal',
]);
export type ErrorFrameCode = z.infer<typeof errorFrameCodeSchema>;

export const serverFrameSchema = z.discriminatedUnion('event', [
  serverFrame(
    'ready',
    z.object({
      userId: idSchema,
      connectionId: idSchema,
      heartbeatMs: z.number().int().positive(),
      unread: z.object({
        notifications: z.number().int().nonnegative(),
        chat: z.number().int().nonnegative(),
      }),
    }),
  ),
  serverFrame(
    'subscribed',
    z.object({ conversationId: idSchema, recovered: z.boolean(), lastSeq: seqSchema }),
  ),
  serverFrame('unsubscribed', z.object({ conversationId: idSchema })),
  serverFrame('message.new', z.object({ conversationId: idSchema, message: messageSchema })),
  serverFrame(
    'message.ack',
    z.object({ clientMessageId: clientMessageIdSchema, message: messageSchema }),
  ),
  serverFrame(
    'typing',
    z.object({
      conversationId: idSchema,
      userId: idSchema,
      expiresInMs: z.number().int().positive(),
    }),
  ),
  serverFrame(
    'presence',
    z.object({ conversationId: idSchema, userId: idSchema, online: z.boolean() }),
  ),
  serverFrame(
    'unread',
    z.object({
      conversationId: idSchema,
      count: z.number().int().nonnegative(),
      total: z.number().int().nonnegative(),
      /** Set when a new message caused the change: the conversation's place in the inbox moved. */
      lastMessage: messageSchema.optional(),
    }),
  ),
  serverFrame(
    'notification.new',
    z.object({ notification: notificationSchema, unreadCount: z.number().int().nonnegative() }),
  ),
  serverFrame('notification.unread', z.object({ count: z.number().int().nonnegative() })),
  serverFrame(
    'read.receipt',
    z.object({ conversationId: idSchema, userId: idSchema, seq: seqSchema }),
  ),
  serverFrame('pong', z.object({})),
  serverFrame(
    'error',
    z.object({ code: errorFrameCodeSchema, message: z.string(), ref: z.string().optional() }),
  ),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerEvent = ServerFrame['event'];
export type ServerFrameData<E extends ServerEvent> = Extract<ServerFrame, { event: E }>['data'];
