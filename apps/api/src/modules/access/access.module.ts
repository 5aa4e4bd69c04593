import { Module } from '@nestjs/common';
import { ConversationAccessService } from './conversation-access.service';

@Module({
  providers: [ConversationAccessService],
  exports: [ConversationAccessService],
})
export class AccessModule {}
