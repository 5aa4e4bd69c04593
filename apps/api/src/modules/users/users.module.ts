import { Module } from '@nestjs/common';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsModule } from '../auth/sessions.module';
import { UsersService } from './users.service';

@Module({
  imports: [SessionsModule],
  providers: [UsersService, PasswordHasher],
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
