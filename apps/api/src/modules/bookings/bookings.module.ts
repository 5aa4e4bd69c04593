import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { BookingsService } from './bookings.service';

@Module({
  imports: [UsersModule],
  providers: [BookingsService],
  exports: [BookingsService],
})
export class BookingsModule {}
