import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { UsersModule } from '../users/users.module';
import { BookingsService } from './bookings.service';

@Module({
  imports: [UsersModule, ChatModule],
  providers: [BookingsService],
  exports: [BookingsService],
})
export class BookingsModule {}
