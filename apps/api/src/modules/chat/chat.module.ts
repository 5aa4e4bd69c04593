import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { UsersModule } from '../users/users.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { UnreadService } from './unread.service';

@Module({
  imports: [AccessModule, UsersModule],
  controllers: [ChatController],
  providers: [ChatService, UnreadService],
  exports: [ChatService, UnreadService],
})
export class ChatModule {}
