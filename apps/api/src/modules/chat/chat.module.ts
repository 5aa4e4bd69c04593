import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { UsersModule } from '../users/users.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConversationIndexer } from './conversation-indexer';
import { InboxService } from './inbox.service';
import { UnreadService } from './unread.service';

@Module({
  imports: [AccessModule, UsersModule],
  controllers: [ChatController],
  providers: [ChatService, InboxService, UnreadService, ConversationIndexer],
  exports: [ChatService, UnreadService, ConversationIndexer],
})
export class ChatModule {}
