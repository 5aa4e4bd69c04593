import { Module } from '@nestjs/common';
import { InAppNotificationService } from './in-app-notification.service';
import { MentionNotifier } from './mention-notifier';
import { NotificationsController } from './notifications.controller';

@Module({
  controllers: [NotificationsController],
  providers: [InAppNotificationService, MentionNotifier],
  exports: [InAppNotificationService],
})
export class NotificationsModule {}
