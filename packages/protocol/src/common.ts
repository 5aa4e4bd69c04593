import { z } from 'zod';

/**
 * Ids of users, bookings, conversations and notifications. They end up in Redis keys and URL
 * paths, so only characters that mean nothing in either are allowed.
 */
export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, "_" or "-"');
export const seqSchema = z.number().int().nonnegative();

export const roleSchema = z.enum(['customer', 'staff', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** ISO 3166-1 alpha-2 country code, upper case. */
export const countrySchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be a two-letter upper-case country code');

export const handleSchema = z
  .string()
  .regex(/^[a-z0-9_]{2,32}$/, 'must be 2-32 lower-case letters, digits or underscores');

/** E-mail addresses are compared trimmed and lower-cased. */
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email());

export const userSchema = z.object({
  id: idSchema,
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  handle: handleSchema,
  role: roleSchema,
  country: countrySchema.nullable(),
});
export type User = z.infer<typeof userSchema>;

export const userSummarySchema = userSchema.pick({
  id: true,
  name: true,
  handle: true,
  role: true,
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const messageSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  seq: z.number().int().positive(),
  author: userSummarySchema,
  body: z.string(),
  mentions: z.array(idSchema),
  createdAt: z.iso.datetime(),
  /** The id its author's client sent it with: lets that client match it to its pending send. */
  clientMessageId: z.string().min(1).max(64).optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const notificationSchema = z.object({
  id: idSchema,
  type: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  createdAt: z.iso.datetime(),
  readAt: z.iso.datetime().nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const errorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
