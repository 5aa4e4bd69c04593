import { type User } from '@chat/protocol';

export interface AccessDecision {
  allowed: boolean;
  /** The user should be added as a participant when they open the conversation. */
  autoJoin: boolean;
}

const DENY: AccessDecision = { allowed: false, autoJoin: false };

/**
 * The one country-scope rule for conversations, used by HTTP routes and the gateway alike.
 * - admin: every conversation;
 * - staff with a country: threads of bookings in that country; staff without one: all threads;
 * - customer: only conversations they participate in.
 * Staff and admins who may open a thread join it when they open it.
 */
export function decideConversationAccess(
  user: Pick<User, 'role' | 'country'>,
  bookingCountry: string,
  isParticipant: boolean,
): AccessDecision {
  switch (user.role) {
    case 'admin':
      return { allowed: true, autoJoin: !isParticipant };
    case 'staff': {
      const inScope = user.country === null || user.country === bookingCountry;
      return inScope ? { allowed: true, autoJoin: !isParticipant } : DENY;
    }
    case 'customer':
      return isParticipant ? { allowed: true, autoJoin: false } : DENY;
    default:
      return DENY;
  }
}
