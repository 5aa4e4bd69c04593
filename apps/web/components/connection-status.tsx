'use client';

import { useConnectionState } from '@/lib/realtime/realtime-context';

const LABELS = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
} as const;

/** The state of the shared socket, always visible: a broken socket must not look like calm. */
export function ConnectionStatus() {
  const state = useConnectionState();
  return (
    <span
      role="status"
      className={`connection connection-${state}`}
      data-testid="connection-state"
      data-state={state}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span>{LABELS[state]}</span>
    </span>
  );
}
