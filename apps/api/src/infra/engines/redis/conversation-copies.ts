import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { StoreAnnouncer } from '../../../modules/chat/store-announcer.port';
import { type RedisClient } from '../../redis/redis-client';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisChannels, redisKeys } from '../../redis/redis-keys';
import { RedisTopology } from '../../redis/redis-topology';
import { CONVERSATION_COPIES } from './conversation-lua';
import { APPLY_COPIES, copyArguments, copyKeys, type CopyCause, type UserCopy } from './user-lua';

/**
 * How often, at most, one replica makes the participants' copies of one busy conversation after
 * its messages (decision 0020): the cadence of the `unread` frames a socket is sent.
 */
export const COPY_WINDOW_MS = 1_000;
/** A copy step that failed after a message is tried again this many times, a window apart. */
const COPY_ATTEMPTS = 5;

/** A conversation whose copies were made less than a window ago, and what came since. */
interface CopyWindow {
  timer: NodeJS.Timeout;
  /** The highest activity of the messages since the window opened; 0 when none came. */
  activity: number;
  attempt: number;
}

/** The copies a conversation's script read: {version, participants, counts, last message}. */
export type CopiesReply = [number, string[], number[], string | false];

/** What the copies after a message are read for: every participant, or only its author. */
export interface CopiesRead {
  /** A user id, or '' for every participant (the argument the conversation's scripts take). */
  copiesOf: string;
}

/**
 * Applies a conversation's change to its participants' own keys (the user steps): one script per
 * slot of users on a Cluster, one for everyone on a single node.
 *
 * After a message (decision 0020) the copies are read from the conversation at its current
 * version and applied at once when the conversation was quiet; messages that follow within
 * {@link COPY_WINDOW_MS} are answered once their author's own copy is made, and one step at the
 * window's end makes everyone's. A busy conversation costs its participants' keys one step a
 * window instead of one a message.
 */
@Injectable()
export class ConversationCopiesWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ConversationCopiesWriter.name);
  private readonly windows = new Map<string, CopyWindow>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly topology: RedisTopology,
    private readonly announcer: StoreAnnouncer,
  ) {}

  /**
   * Whose copies the conversation's step of `authorId`'s message should read, so that
   * {@link afterMessage} seldom has to read them again: everyone's when the conversation is
   * quiet, only the author's while a window is open.
   */
  copiesToRead(conversationId: string, authorId: string): CopiesRead {
    return { copiesOf: this.windows.has(conversationId) ? authorId : '' };
  }

  /**
   * Every participant's copy after `authorId`'s message (their place in the inbox moves up to
   * `activity`), from what the conversation's step read (`read`, as {@link copiesToRead} asked):
   * made now, or, when one was made less than a window ago, the author's now and everyone's at
   * the window's end.
   */
  async afterMessage(
    conversationId: string,
    activity: number,
    authorId: string,
    read: CopiesRead & { reply: CopiesReply },
  ): Promise<void> {
    const open = this.windows.get(conversationId);
    if (open) {
      open.activity = Math.max(open.activity, activity);
      await this.applyRead(conversationId, activity, read.reply, authorId);
      return;
    }
    const window = this.open(conversationId, 1);
    try {
      // Read for the author only, when a window was open then: read everyone's now.
      if (read.copiesOf === '') await this.applyRead(conversationId, activity, read.reply);
      else await this.makeCopies(conversationId, activity);
    } catch (error) {
      // The post fails and its retry makes them: nothing waits in a window for it.
      clearTimeout(window.timer);
      if (this.windows.get(conversationId) === window) this.windows.delete(conversationId);
      throw error;
    }
  }

  /** Makes what waits in the windows now (the process is stopping). */
  async beforeApplicationShutdown(): Promise<void> {
    const waiting = [...this.windows].filter(([, window]) => window.activity > 0);
    for (const [, window] of this.windows) clearTimeout(window.timer);
    this.windows.clear();
    await Promise.all(
      waiting.map(([conversationId, window]) =>
        this.makeCopies(conversationId, window.activity).catch((error: unknown) =>
          this.logger.warn({ err: error }, `copies of ${conversationId} at shutdown failed`),
        ),
      ),
    );
  }

  private open(conversationId: string, attempt: number): CopyWindow {
    const window: CopyWindow = {
      timer: setTimeout(() => this.close(conversationId, window), COPY_WINDOW_MS),
      activity: 0,
      attempt,
    };
    window.timer.unref();
    this.windows.set(conversationId, window);
    return window;
  }

  private close(conversationId: string, window: CopyWindow): void {
    if (this.windows.get(conversationId) !== window) return;
    this.windows.delete(conversationId);
    if (window.activity === 0) return;
    const next = this.open(conversationId, 1);
    this.makeCopies(conversationId, window.activity).catch((error: unknown) => {
      if (window.attempt >= COPY_ATTEMPTS) {
        this.logger.warn(
          { err: error },
          `copies of ${conversationId} failed ${window.attempt} times; its next change makes them`,
        );
        return;
      }
      this.logger.warn({ err: error }, `copies of ${conversationId} failed; trying again`);
      next.activity = Math.max(next.activity, window.activity);
      next.attempt = Math.max(next.attempt, window.attempt + 1);
    });
  }

  /** Reads every participant's copy at the conversation's current version and applies them. */
  private async makeCopies(conversationId: string, activity: number): Promise<void> {
    const reply = await CONVERSATION_COPIES.run<CopiesReply>(
      this.redis,
      [redisKeys.participants(conversationId)],
      [conversationId],
    );
    await this.applyRead(conversationId, activity, reply);
  }

  /** Applies the copies a conversation's script read: all of them, or `onlyUserId`'s. */
  private async applyRead(
    conversationId: string,
    activity: number,
    [version, participants, counts, last]: CopiesReply,
    onlyUserId?: string,
  ): Promise<void> {
    const copies = participants
      .map((userId, index) => ({ userId, version, participant: true, count: counts[index] ?? 0 }))
      .filter((copy) => onlyUserId === undefined || copy.userId === onlyUserId);
    await this.apply(conversationId, activity, 'message', last === false ? null : last, copies);
  }

  /** Applies `copies`; returns each user's unread total. */
  async apply(
    conversationId: string,
    activity: number,
    cause: CopyCause,
    lastMessageJson: string | null,
    copies: readonly UserCopy[],
  ): Promise<Map<string, number>> {
    const template = this.announcer.unread(conversationId);
    const channelOf = (userId: string) => redisChannels.room(template.userRoomPrefix + userId);
    const groups = this.topology.groups(copies, (copy) => redisKeys.userVersions(copy.userId));
    const totals = new Map<string, number>();
    await Promise.all(
      groups.map(async (group) => {
        const replies = await APPLY_COPIES.run<number[]>(
          this.redis,
          group.flatMap((copy) => copyKeys(copy.userId)),
          copyArguments(
            conversationId,
            activity,
            cause,
            lastMessageJson,
            template,
            group,
            channelOf,
          ),
        );
        group.forEach((copy, index) => totals.set(copy.userId, Number(replies[index] ?? 0)));
      }),
    );
    return totals;
  }
}
