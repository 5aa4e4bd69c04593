import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module';
import { UsersModule } from '../users/users.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [UsersModule, BookingsModule],
  providers: [DemoSeedService],
})
export class SeedModule {}
