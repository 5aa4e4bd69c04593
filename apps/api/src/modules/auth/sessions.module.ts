import { Module } from '@nestjs/common';
import { SessionsService } from './sessions.service';

/** Sessions on their own, so both sign-in and user management can end them. */
@Module({
  providers: [SessionsService],
  exports: [SessionsService],
})
export class SessionsModule {}
