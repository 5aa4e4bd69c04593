import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { BookingsService } from '../bookings/bookings.service';
import { PasswordHasher } from '../auth/password-hasher';
import { UsersService } from '../users/users.service';
import { DEMO_BOOKINGS, DEMO_PASSWORD, DEMO_USERS } from './demo-data';

/** Loads the demo users and bookings (idempotent: every replica may run it). */
@Injectable()
export class DemoSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly bookings: BookingsService,
    private readonly passwords: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoSeed) return;
    // One hash for the shared demo password keeps boot fast; these accounts are public anyway.
    const passwordHash = await this.passwords.hash(DEMO_PASSWORD);
    for (const { id, ...user } of DEMO_USERS) {
      await this.users.upsertWithPasswordHash(id, user, passwordHash);
    }
    for (const { id, ...booking } of DEMO_BOOKINGS) await this.bookings.upsert(id, booking);
    this.logger.log(
      `demo data loaded: ${DEMO_USERS.length} users, ${DEMO_BOOKINGS.length} bookings`,
    );
  }
}
