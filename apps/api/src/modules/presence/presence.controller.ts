import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { idSchema, type PresenceResponse, type User } from '@chat/protocol';
import { ZodPipe } from '../../common/validation';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { PresenceService } from './presence.service';

@Controller('chat/conversations')
@UseGuards(SessionGuard)
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get(':id/presence')
  get(
    @CurrentUser() user: User,
    @Param('id', new ZodPipe(idSchema)) id: string,
  ): Promise<PresenceResponse> {
    return this.presence.conversationPresence(user, id);
  }
}
