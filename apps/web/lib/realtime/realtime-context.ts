'use client';

import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConnectionState, RealtimeConnection } from './connection';

export const RealtimeContext = createContext<RealtimeConnection | null>(null);

/** The tab's shared socket, or `null` before sign-in. */
export function useRealtime(): RealtimeConnection | null {
  return useContext(RealtimeContext);
}

export function useConnectionState(): ConnectionState {
  const connection = useRealtime();
  return useSyncExternalStore(
    (listener) => connection?.onStateChange(listener) ?? (() => undefined),
    () => connection?.state ?? 'connecting',
    () => 'connecting',
  );
}
