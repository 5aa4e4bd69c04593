import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { type Response } from 'express';
import {
  type ConversationHeaderResponse,
  type ConversationResponse,
  idSchema,
  type ListMessagesQuery,
  type ConversationListResponse,
  type ListConversationsQuery,
  listConversationsQuerySchema,
  listMessagesQuerySchema,
  type Message,
  type MessagePageResponse,
  type PostMessageBody,
  postMessageBodySchema,
  type ReadBody,
  readBodySchema,
  type UnreadResponse,
  type User,
} from '@chat/protocol';
import { ZodPipe } from '../../common/validation';
import { CurrentUser, SessionGuard } from '../auth/session.guard';
import { ChatService } from './chat.service';
import { InboxService } from './inbox.service';
import { UnreadService } from './unread.service';

const conversationIdPipe = new ZodPipe(idSchema);

@Controller('chat')
@UseGuards(SessionGuard)
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly inbox: InboxService,
    private readonly unread: UnreadService,
  ) {}

  @Get('conversations')
  async list(
    @CurrentUser() user: User,
    @Query(new ZodPipe(listConversationsQuerySchema)) query: ListConversationsQuery,
  ): Promise<ConversationListResponse> {
    return this.inbox.list(user, query);
  }

  @Get('unread')
  unreadCounts(@CurrentUser() user: User): Promise<UnreadResponse> {
    return this.unread.ofUser(user.id);
  }

  /** Reading a thread changes nothing: a GET (a cross-site navigation included) joins no one. */
  @Get('conversations/:id')
  show(
    @CurrentUser() user: User,
    @Param('id', conversationIdPipe) id: string,
  ): Promise<ConversationResponse> {
    return this.chat.openConversation(user, id, { join: false });
  }

  /** Opening a thread from the app: in-scope staff and admins join it. */
  @Post('conversations/:id/open')
  @HttpCode(200)
  openAndJoin(
    @CurrentUser() user: User,
    @Param('id', conversationIdPipe) id: string,
  ): Promise<ConversationResponse> {
    return this.chat.openConversation(user, id, { join: true });
  }

  @Get('conversations/:id/header')
  header(
    @CurrentUser() user: User,
    @Param('id', conversationIdPipe) id: string,
  ): Promise<ConversationHeaderResponse> {
    return this.chat.header(user, id);
  }

  @Get('conversations/:id/messages')
  messages(
    @CurrentUser() user: User,
    @Param('id', conversationIdPipe) id: string,
    @Query(new ZodPipe(listMessagesQuerySchema)) query: ListMessagesQuery,
  ): Promise<MessagePageResponse> {
    return this.chat.listMessages(user, id, query);
  }

  @Post('conversations/:id/messages')
  async post(
    @CurrentUser() user: User,
    @Param('id', conversationIdPipe) id: string,
    @Body(new ZodPipe(postMessageBodySchema)) body: PostMessageBody,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ message: Message }> {
    const { message, created } = await this.chat.postMessage(user, id, body);
    // 201 for a new message, 200 when a retry found the one already stored.
    response.status(created ? 201 : 200);
    return { message };
  }

  @Post('conversations/:id/read')
  @HttpCode(204)
  async read(
    @CurrentUser() user: User,
    @Param('id', conversationIdPipe) id: string,
    @Body(new ZodPipe(readBodySchema)) body: ReadBody,
  ): Promise<void> {
    await this.chat.markRead(user, id, body.seq);
  }
}
