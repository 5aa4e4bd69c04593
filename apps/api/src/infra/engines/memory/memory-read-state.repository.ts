import { Injectable } from '@nestjs/common';
import { ReadStateRepository } from '../../../modules/chat/read-state.repository';

@Injectable()
export class MemoryReadStateRepository extends ReadStateRepository {
  private readonly markers = new Map<string, number>();

  async advance(userId: string, conversationId: string, seq: number): Promise<number> {
    const key = `${userId}:${conversationId}`;
    const marker = Math.max(this.markers.get(key) ?? 0, seq);
    this.markers.set(key, marker);
    return marker;
  }

  async get(userId: string, conversationId: string): Promise<number> {
    return this.markers.get(`${userId}:${conversationId}`) ?? 0;
  }

  async getMany(userId: string, conversationIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(
      conversationIds.map((id) => [id, this.markers.get(`${userId}:${id}`) ?? 0] as const),
    );
  }
}
