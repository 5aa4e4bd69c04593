import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { UsersModule } from '../users/users.module';
import { InternalController } from './internal.controller';
import { InternalTokenGuard } from './internal-token.guard';

@Module({
  imports: [UsersModule, BookingsModule, NotificationsModule],
  controllers: [InternalController],
  providers: [InternalTokenGuard],
})
export class InternalModule {}
