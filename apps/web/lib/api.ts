import {
  conversationHeaderResponseSchema,
  conversationListResponseSchema,
  conversationResponseSchema,
  messagePageResponseSchema,
  messageResponseSchema,
  notificationPageResponseSchema,
  presenceResponseSchema,
  unreadCountResponseSchema,
  unreadResponseSchema,
  userResponseSchema,
  type ConversationScope,
} from '@chat/protocol';
import { apiRequest } from './api-client';
import type { NotificationApi } from '@/modules/notifications/state/notifications-store';
import type { ThreadApi } from '@/modules/thread/state/thread-store';

const path = encodeURIComponent;

export const authApi = {
  me: () => apiRequest('/auth/me', { schema: userResponseSchema }).then((body) => body.user),
  login: (email: string, password: string) =>
    apiRequest('/auth/login', {
      method: 'POST',
      body: { email, password },
      schema: userResponseSchema,
    }).then((body) => body.user),
  logout: () => apiRequest('/auth/logout', { method: 'POST' }),
};

export const notificationApi: NotificationApi = {
  unreadCount: () =>
    apiRequest('/notifications/unread-count', { schema: unreadCountResponseSchema }).then(
      (body) => body.count,
    ),
  list: ({ before, unread }) =>
    apiRequest(
      `/notifications?limit=20${before ? `&before=${path(before)}` : ''}${unread ? '&unread=true' : ''}`,
      { schema: notificationPageResponseSchema },
    ),
  markRead: (id) => apiRequest(`/notifications/${path(id)}/read`, { method: 'POST' }),
  markAllRead: () => apiRequest('/notifications/read-all', { method: 'POST' }),
};

export const chatApi = {
  /** One page of the inbox: the server filters, searches and pages. */
  conversations: (query: {
    scope: ConversationScope;
    unread?: boolean;
    search?: string;
    cursor?: string;
    limit?: number;
  }) => {
    const params = new URLSearchParams({ scope: query.scope });
    if (query.unread) params.set('unread', 'true');
    if (query.search?.trim()) params.set('q', query.search.trim());
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    return apiRequest(`/chat/conversations?${params}`, { schema: conversationListResponseSchema });
  },
  unread: () => apiRequest('/chat/unread', { schema: unreadResponseSchema }),
};

export const threadApi: ThreadApi = {
  open: (id) =>
    apiRequest(`/chat/conversations/${path(id)}/open`, {
      method: 'POST',
      schema: conversationResponseSchema,
    }),
  conversation: (id) =>
    apiRequest(`/chat/conversations/${path(id)}`, { schema: conversationResponseSchema }),
  header: (id) =>
    apiRequest(`/chat/conversations/${path(id)}/header`, {
      schema: conversationHeaderResponseSchema,
    }),
  messages: (id, before) =>
    apiRequest(`/chat/conversations/${path(id)}/messages${before ? `?before=${before}` : ''}`, {
      schema: messagePageResponseSchema,
    }),
  post: (id, body, clientMessageId) =>
    apiRequest(`/chat/conversations/${path(id)}/messages`, {
      method: 'POST',
      body: { body, clientMessageId },
      schema: messageResponseSchema,
    }).then((response) => response.message),
  read: (id, seq) =>
    apiRequest(`/chat/conversations/${path(id)}/read`, { method: 'POST', body: { seq } }),
  presence: (id) =>
    apiRequest(`/chat/conversations/${path(id)}/presence`, { schema: presenceResponseSchema }),
};
