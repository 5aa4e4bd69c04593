import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  idSchema,
  type ListNotificationsQuery,
  listNotificationsQuerySchema,
  type NotificationPageResponse,
  type User,
} from '@chat/protocol';
import { ZodPipe } from '../../common/validation';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { InAppNotificationService } from './in-app-notification.service';

@Controller('notifications')
@UseGuards(SessionGuard)
export class NotificationsController {
  constructor(private readonly notifications: InAppNotificationService) {}

  @Get()
  list(
    @CurrentUser() user: User,
    @Query(new ZodPipe(listNotificationsQuerySchema)) query: ListNotificationsQuery,
  ): Promise<NotificationPageResponse> {
    return this.notifications.list(user.id, query);
  }

  @Get('unread-count')
  async unreadCount(@CurrentUser() user: User): Promise<{ count: number }> {
    return { count: await this.notifications.unreadCount(user.id) };
  }

  @Post('read-all')
  @HttpCode(204)
  async readAll(@CurrentUser() user: User): Promise<void> {
    await this.notifications.markAllRead(user.id);
  }

  @Post(':id/read')
  @HttpCode(204)
  async read(
    @CurrentUser() user: User,
    @Param('id', new ZodPipe(idSchema)) id: string,
  ): Promise<void> {
    await this.notifications.markRead(user.id, id);
  }
}
