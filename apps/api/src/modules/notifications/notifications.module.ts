import { Module } from '@nestjs/common';
import { InAppNotificationService } from './in-app-notification.service';
import { NotificationsController } from './notifications.controller';

@Module({
  controllers: [NotificationsController],
  providers: [InAppNotificationService],
  exports: [InAppNotificationService],
})
export class NotificationsModule {}
