import type { UpsertBookingBody, UpsertUserBody } from '@chat/protocol';
import { INTERNAL_TOKEN } from './processes';

/** A cookie-keeping client of the API, for the other side of a browser test. */
export class ChatApiClient {
  private cookie = '';

  constructor(private baseUrl: string) {}

  useBaseUrl(baseUrl: string): void {
    this.baseUrl = baseUrl;
  }

  async login(email: string, password = 'demo1234'): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login ${email}: ${response.status}`);
    this.cookie = response.headers.getSetCookie()[0]!.split(';')[0]!;
  }

  async post(conversationId: string, body: string, clientMessageId = crypto.randomUUID()) {
    const response = await fetch(
      `${this.baseUrl}/api/chat/conversations/${conversationId}/messages`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: this.cookie },
        body: JSON.stringify({ body, clientMessageId }),
      },
    );
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`post: ${response.status} ${await response.text()}`);
    }
    return ((await response.json()) as { message: { seq: number } }).message;
  }

  async read(conversationId: string, seq: number): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/chat/conversations/${conversationId}/read`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: this.cookie },
      body: JSON.stringify({ seq }),
    });
    if (response.status !== 204) throw new Error(`read: ${response.status}`);
  }

  /** The latest page of a conversation's messages, oldest first. */
  async messages(conversationId: string, limit = 100) {
    const response = await fetch(
      `${this.baseUrl}/api/chat/conversations/${conversationId}/messages?limit=${limit}`,
      { headers: { cookie: this.cookie } },
    );
    if (response.status !== 200) throw new Error(`messages: ${response.status}`);
    return ((await response.json()) as { messages: Array<{ seq: number; body: string }> }).messages;
  }

  async upsertUser(userId: string, user: UpsertUserBody): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/internal/users/${userId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTERNAL_TOKEN}` },
      body: JSON.stringify(user),
    });
    if (response.status !== 200) throw new Error(`upsert user: ${response.status}`);
  }

  async upsertBooking(bookingId: string, booking: UpsertBookingBody): Promise<void> {
    const response = await fetch(`${this.baseUrl}/api/internal/bookings/${bookingId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTERNAL_TOKEN}` },
      body: JSON.stringify(booking),
    });
    if (response.status !== 200) throw new Error(`upsert booking: ${response.status}`);
  }

  async notify(userId: string, title: string, body?: string, link?: string) {
    const response = await fetch(`${this.baseUrl}/api/internal/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTERNAL_TOKEN}` },
      body: JSON.stringify({ userId, type: 'booking.update', title, body, link }),
    });
    if (response.status !== 201) throw new Error(`notify: ${response.status}`);
  }
}
