import { Global, Module } from '@nestjs/common';
import { StoreAnnouncer } from '../../chat/store-announcer.port';
import { LiveAnnouncer } from './live-announcer';

/**
 * The stores' announcer, for every engine: global, because the stores are bound in the engine
 * module and announce as they change.
 */
@Global()
@Module({
  providers: [{ provide: StoreAnnouncer, useClass: LiveAnnouncer }],
  exports: [StoreAnnouncer],
})
export class LiveMessagesModule {}
