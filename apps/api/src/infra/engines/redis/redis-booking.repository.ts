import { Inject, Injectable } from '@nestjs/common';
import { type RedisClient } from '../../redis/redis-client';
import {
  type BookingRecord,
  BookingRepository,
} from '../../../modules/bookings/booking.repository';
import { REDIS_CLIENT } from '../../redis/redis.module';
import { redisKeys } from '../../redis/redis-keys';

@Injectable()
export class RedisBookingRepository extends BookingRepository {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
  }

  async findById(id: string): Promise<BookingRecord | null> {
    const json = await this.redis.get(redisKeys.booking(id));
    return json ? (JSON.parse(json) as BookingRecord) : null;
  }

  async upsert(booking: BookingRecord): Promise<void> {
    await this.redis.set(redisKeys.booking(booking.id), JSON.stringify(booking));
  }
}
