import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DomainEvents } from '../../common/domain-events';
import { PasswordHasher } from '../auth/password-hasher';
import { BookingsService } from '../bookings/bookings.service';
import { MessageRepository } from '../chat/message.repository';
import { ReadStateRepository } from '../chat/read-state.repository';
import { InAppNotificationService } from '../notifications/in-app-notification.service';
import { UsersService } from '../users/users.service';
import { DEMO_BOOKINGS, DEMO_PASSWORD, DEMO_USERS } from './demo-data';
import {
  HISTORY_BOOKINGS,
  HISTORY_NOTIFICATIONS,
  HISTORY_USERS,
  type HistoryBooking,
} from './demo-history';

/** Loads the demo users and bookings, and with DEMO_HISTORY a lived-in platform (idempotent). */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly bookings: BookingsService,
    private readonly passwords: PasswordHasher,
    private readonly messages: MessageRepository,
    private readonly readState: ReadStateRepository,
    private readonly notifications: InAppNotificationService,
    private readonly events: DomainEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoSeed) return;
    // One hash for the shared demo password keeps boot fast; these accounts are public anyway.
    const passwordHash = await this.passwords.hash(DEMO_PASSWORD);
    const people = this.config.demoHistory ? [...DEMO_USERS, ...HISTORY_USERS] : DEMO_USERS;
    for (const { id, ...user } of people) {
      await this.users.upsertWithPasswordHash(id, user, passwordHash);
    }
    for (const { id, ...booking } of DEMO_BOOKINGS) await this.bookings.upsert(id, booking);
    if (this.config.demoHistory) await this.loadHistory();
    this.logger.log(
      `demo data loaded: ${people.length} users, ${
        DEMO_BOOKINGS.length + (this.config.demoHistory ? HISTORY_BOOKINGS.length : 0)
      } bookings`,
    );
  }

  /**
   * The history's bookings, then their messages oldest first (so the threads keep their order
   * of activity), read markers and notifications; each keyed, so a second load adds nothing.
   */
  private async loadHistory(): Promise<void> {
    for (const booking of HISTORY_BOOKINGS) {
      await this.bookings.upsert(booking.id, {
        ref: booking.ref,
        country: booking.country,
        creatorId: booking.creatorId,
        managerId: booking.managerId,
      });
    }
    const people = new Map(
      [...DEMO_USERS, ...HISTORY_USERS].map((user) => [user.id, user] as const),
    );
    const now = Date.now();
    const timeline = HISTORY_BOOKINGS.flatMap((booking) =>
      booking.messages.map((message, index) => ({ booking, message, index })),
    ).sort((a, b) => b.message.minutesAgo - a.message.minutesAgo);
    for (const { booking, message, index } of timeline) {
      const author = people.get(message.authorId)!;
      const conversationId = `th_${booking.id}`;
      const mentions = [...message.body.matchAll(/@([a-z0-9_]+)/g)].flatMap(
        ([, handle]) => [...people.values()].find((user) => user.handle === handle)?.id ?? [],
      );
      const result = await this.messages.append(
        {
          id: `demo-${booking.id}-${index}`,
          conversationId,
          author: { id: author.id, name: author.name, handle: author.handle, role: author.role },
          body: message.body,
          mentions,
          createdAt: new Date(now - message.minutesAgo * 60_000).toISOString(),
        },
        `demo-${index}`,
      );
      await this.events.dispatch('message.posted', { ...result, bookingRef: booking.ref });
    }
    for (const booking of HISTORY_BOOKINGS) await this.markReads(booking);
    for (const { key, userId, bookingId, ...notification } of HISTORY_NOTIFICATIONS) {
      await this.notifications.create(
        userId,
        { ...notification, link: `/threads/th_${bookingId}` },
        { onceKey: key },
      );
    }
  }

  /** Whoever wrote has read up to their own last message; some have read further. */
  private async markReads(booking: HistoryBooking): Promise<void> {
    const ownLast = new Map<string, number>();
    booking.messages.forEach((message, index) => ownLast.set(message.authorId, index + 1));
    for (const [userId, seq] of [...ownLast, ...Object.entries(booking.reads)]) {
      await this.readState.advance(userId, `th_${booking.id}`, seq);
    }
  }
}
