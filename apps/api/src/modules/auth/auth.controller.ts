import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { type Request, type Response } from 'express';
import {
  type LoginBody,
  loginBodySchema,
  SESSION_COOKIE,
  type User,
  type UserResponse,
} from '@chat/protocol';
import { type AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { clientAddress } from '../../common/client-address';
import { ZodPipe } from '../../common/validation';
import { AuthService } from './auth.service';
import { CurrentUser, SessionGuard, sessionIdFrom } from './session.guard';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodPipe(loginBodySchema)) body: LoginBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UserResponse> {
    const { user, sessionId } = await this.auth.login(
      body.email,
      body.password,
      clientAddress(request),
    );
    response.cookie(SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: '/',
      maxAge: this.config.sessionTtlSeconds * 1000,
    });
    return { user };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const sessionId = sessionIdFrom(request.headers, request.cookies as Record<string, string>);
    if (sessionId) await this.auth.logout(sessionId);
    response.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.secureCookies,
      path: '/',
    });
  }

  @Get('me')
  @UseGuards(SessionGuard)
  me(@CurrentUser() user: User): UserResponse {
    return { user };
  }
}
