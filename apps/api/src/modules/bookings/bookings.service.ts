import { Injectable } from '@nestjs/common';
import { type UpsertBookingBody } from '@chat/protocol';
import { DomainEvents } from '../../common/domain-events';
import { ConversationIndexer } from '../chat/conversation-indexer';
import { type ConversationRecord, ConversationRepository } from '../chat/conversation.repository';
import { UsersService } from '../users/users.service';
import { type BookingRecord, BookingRepository } from './booking.repository';

/** The id of a booking's thread: one thread per booking, derived so creation is idempotent. */
export function threadIdForBooking(bookingId: string): string {
  return `th_${bookingId}`;
}

@Injectable()
export class BookingsService {
  constructor(
    private readonly bookings: BookingRepository,
    private readonly conversations: ConversationRepository,
    private readonly users: UsersService,
    private readonly indexer: ConversationIndexer,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Creates or updates a booking and makes sure its thread exists with the creator and the
   * manager as participants. Participants are never removed by an update.
   */
  async upsert(
    id: string,
    input: UpsertBookingBody,
  ): Promise<{ booking: BookingRecord; conversationId: string }> {
    await this.users.requireSummary(input.creatorId, 'creator');
    if (input.managerId) await this.users.requireSummary(input.managerId, 'manager');
    const booking: BookingRecord = { id, ...input };
    const previous = await this.bookings.findById(id);
    await this.bookings.upsert(booking);
    const conversationId = threadIdForBooking(id);
    const record: ConversationRecord = {
      id: conversationId,
      bookingId: id,
      bookingRef: input.ref,
      country: input.country,
      // The property or service booked says more than the ref, which the thread shows anyway.
      title: input.details?.name ?? `Booking ${input.ref}`,
      createdAt: new Date().toISOString(),
    };
    const participantIds = new Set(await this.conversations.listParticipants(conversationId));
    participantIds.add(input.creatorId);
    if (input.managerId) participantIds.add(input.managerId);
    await this.conversations.save(
      record,
      await this.indexer.tokensFor(record, [...participantIds]),
    );
    await this.conversations.addParticipant(conversationId, input.creatorId);
    if (input.managerId) await this.conversations.addParticipant(conversationId, input.managerId);
    if (previous && previous.country !== input.country) {
      // Staff access follows the booking's country: who takes part and open subscriptions are
      // re-checked.
      await this.events.dispatch('conversation.access.changed', { conversationId });
    }
    return { booking, conversationId };
  }
}
