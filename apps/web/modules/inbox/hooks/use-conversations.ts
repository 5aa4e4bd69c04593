'use client';

import type { ConversationListItem, ConversationScope } from '@chat/protocol';
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useServices } from '@/modules/shell/components/app-providers';
import { useChatUnreadByConversation } from './use-chat-unread';

export interface ConversationQuery {
  /** Words to find in the title, the booking ref, or the last message and its author. */
  search: string;
  unreadOnly: boolean;
}

export interface InboxEntry extends ConversationListItem {
  /** Live: from the unread counts, which move before the list is asked for again. */
  unread: number;
}

export interface ConversationsView {
  entries: InboxEntry[] | null;
  failed: boolean;
  scope: ConversationScope;
  setScope(scope: ConversationScope): void;
}

/** For matching without case or diacritics: "hoi an" finds "Hội An", "da nang" "Đà Nẵng". */
export function searchable(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLocaleLowerCase();
}

export function matchesSearch(item: ConversationListItem, search: string): boolean {
  const words = searchable(search).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = searchable(
    [item.title, item.bookingRef, item.lastMessage?.author.name, item.lastMessage?.body].join(' '),
  );
  return words.every((word) => haystack.includes(word));
}

/**
 * The inbox's one way to its data. Search and the unread filter run here, over the whole list,
 * until the paginated route (`GET /api/chat/conversations?limit&cursor&q&unread&scope`) takes
 * them over; then this hook pages through it and nothing that renders the list changes.
 */
export function useConversations(query: ConversationQuery): ConversationsView {
  const { conversations } = useServices();
  const items = useStore(conversations.store, (state) => state.items);
  const failed = useStore(conversations.store, (state) => state.failed);
  const scope = useStore(conversations.store, (state) => state.scope);
  const unread = useChatUnreadByConversation();
  const entries = useMemo(
    () =>
      items
        ?.map((item) => ({ ...item, unread: unread[item.id] ?? item.unreadCount }))
        .filter(
          (item) => (!query.unreadOnly || item.unread > 0) && matchesSearch(item, query.search),
        ) ?? null,
    [items, unread, query.unreadOnly, query.search],
  );
  return { entries, failed, scope, setScope: conversations.setScope };
}
