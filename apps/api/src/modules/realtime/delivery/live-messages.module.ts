import { Global, Module } from '@nestjs/common';
import { MessageAnnouncer } from '../../chat/message.repository';
import { LiveMessageAnnouncer } from './live-message-announcer';

/**
 * The message store's announcer, for every engine: global, because the store is bound in the
 * engine module and announces as it appends.
 */
@Global()
@Module({
  providers: [{ provide: MessageAnnouncer, useClass: LiveMessageAnnouncer }],
  exports: [MessageAnnouncer],
})
export class LiveMessagesModule {}
