import { Body, Controller, Delete, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import {
  type CreateNotificationBody,
  createNotificationBodySchema,
  type EndSessionsResponse,
  idSchema,
  type Notification,
  type UpsertBookingBody,
  upsertBookingBodySchema,
  type UpsertUserBody,
  upsertUserBodySchema,
  type User,
} from '@chat/protocol';
import { ZodPipe } from '../../common/validation';
import { BookingsService } from '../bookings/bookings.service';
import { InAppNotificationService } from '../notifications/in-app-notification.service';
import { UsersService } from '../users/users.service';
import { InternalTokenGuard } from './internal-token.guard';

const idPipe = new ZodPipe(idSchema);

/** The entry points for the rest of the platform. */
@Controller('internal')
@UseGuards(InternalTokenGuard)
export class InternalController {
  constructor(
    private readonly users: UsersService,
    private readonly bookings: BookingsService,
    private readonly notifications: InAppNotificationService,
  ) {}

  @Put('users/:id')
  async upsertUser(
    @Param('id', idPipe) id: string,
    @Body(new ZodPipe(upsertUserBodySchema)) body: UpsertUserBody,
  ): Promise<{ user: User }> {
    return { user: await this.users.upsert(id, body) };
  }

  /** Ends every session of the user and closes their sockets with 4401, on every replica. */
  @Delete('users/:id/sessions')
  @HttpCode(200)
  async endSessions(@Param('id', idPipe) id: string): Promise<EndSessionsResponse> {
    return { ended: await this.users.endSessions(id) };
  }

  @Put('bookings/:id')
  async upsertBooking(
    @Param('id', idPipe) id: string,
    @Body(new ZodPipe(upsertBookingBodySchema)) body: UpsertBookingBody,
  ) {
    const { booking, conversationId } = await this.bookings.upsert(id, body);
    return { booking, conversationId };
  }

  @Post('notifications')
  @HttpCode(201)
  async createNotification(
    @Body(new ZodPipe(createNotificationBodySchema)) body: CreateNotificationBody,
  ): Promise<{ notification: Notification }> {
    const { userId, ...draft } = body;
    return { notification: await this.notifications.create(userId, draft) };
  }
}
