import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { CommonModule } from './common/common.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { SameOriginGuard } from './common/same-origin.guard';
import { type AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { loggerOptions } from './config/logger';
import { EngineModule } from './infra/engines/engine.module';
import { RealtimeInfraModule } from './infra/realtime/realtime-infra.module';
import { AuthModule } from './modules/auth/auth.module';
import { BookingsModule } from './modules/bookings/bookings.module';
import { ChatModule } from './modules/chat/chat.module';
import { HealthModule } from './modules/health/health.module';
import { InternalModule } from './modules/internal/internal.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { PresenceModule } from './modules/presence/presence.module';
import { RealtimeModule } from './modules/realtime/realtime.module';
import { SeedModule } from './modules/seed/seed.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        CommonModule,
        EngineModule.forRoot(config),
        MetricsModule,
        RealtimeInfraModule.forRoot(config),
        HealthModule,
        AuthModule,
        BookingsModule,
        ChatModule,
        NotificationsModule,
        PresenceModule,
        RealtimeModule,
        InternalModule,
        SeedModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_GUARD, useClass: SameOriginGuard },
      ],
    };
  }
}
