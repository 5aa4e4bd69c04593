import { Injectable } from '@nestjs/common';
import {
  type PresenceConnection,
  PresenceRepository,
  TypingRepository,
} from '../../../modules/presence/presence.repository';

@Injectable()
export class MemoryPresenceRepository extends PresenceRepository {
  /** userId → connectionId → expiry (ms). */
  private readonly users = new Map<string, Map<string, number>>();

  async touch(connections: readonly PresenceConnection[], ttlMs: number): Promise<string[]> {
    const now = Date.now();
    const cameOnline: string[] = [];
    for (const { userId, connectionId } of connections) {
      const live = this.liveConnections(userId, now);
      if (live.size === 0) cameOnline.push(userId);
      live.set(connectionId, now + ttlMs);
      this.users.set(userId, live);
    }
    return [...new Set(cameOnline)];
  }

  async reserve(
    { userId, connectionId }: PresenceConnection,
    ttlMs: number,
    maxConnections: number,
  ): Promise<{ reserved: boolean; cameOnline: boolean }> {
    const now = Date.now();
    const live = this.liveConnections(userId, now);
    if (live.size >= maxConnections) return { reserved: false, cameOnline: false };
    const cameOnline = live.size === 0;
    live.set(connectionId, now + ttlMs);
    this.users.set(userId, live);
    return { reserved: true, cameOnline };
  }

  async remove({ userId, connectionId }: PresenceConnection): Promise<boolean> {
    const live = this.liveConnections(userId, Date.now());
    const removed = live.delete(connectionId);
    if (live.size > 0) return false;
    this.users.delete(userId);
    return removed;
  }

  async sweepExpired(limit: number): Promise<string[]> {
    const now = Date.now();
    const offline: string[] = [];
    for (const userId of this.users.keys()) {
      if (offline.length >= limit) break;
      if (this.liveConnections(userId, now).size === 0) {
        this.users.delete(userId);
        offline.push(userId);
      }
    }
    return offline;
  }

  async onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    const now = Date.now();
    return new Set(userIds.filter((userId) => this.countLive(userId, now) > 0));
  }

  private countLive(userId: string, now: number): number {
    let count = 0;
    for (const expiry of this.users.get(userId)?.values() ?? []) if (expiry > now) count++;
    return count;
  }

  /** The user's entries with the expired ones dropped (the map itself, for updates). */
  private liveConnections(userId: string, now: number): Map<string, number> {
    const entries = this.users.get(userId) ?? new Map<string, number>();
    for (const [connectionId, expiry] of entries) if (expiry <= now) entries.delete(connectionId);
    return entries;
  }
}

@Injectable()
export class MemoryTypingRepository extends TypingRepository {
  private readonly relayedUntil = new Map<string, number>();

  async acquireRelay(conversationId: string, userId: string, intervalMs: number): Promise<boolean> {
    const key = `${conversationId}\u0000${userId}`;
    const now = Date.now();
    if ((this.relayedUntil.get(key) ?? 0) > now) return false;
    this.relayedUntil.set(key, now + intervalMs);
    if (this.relayedUntil.size > 10_000) {
      for (const [entry, until] of this.relayedUntil)
        if (until <= now) this.relayedUntil.delete(entry);
    }
    return true;
  }
}
