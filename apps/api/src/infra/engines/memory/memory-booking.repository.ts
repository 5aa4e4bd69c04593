import { Injectable } from '@nestjs/common';
import {
  type BookingRecord,
  BookingRepository,
} from '../../../modules/bookings/booking.repository';

@Injectable()
export class MemoryBookingRepository extends BookingRepository {
  private readonly bookings = new Map<string, BookingRecord>();

  async findById(id: string): Promise<BookingRecord | null> {
    const booking = this.bookings.get(id);
    return booking ? structuredClone(booking) : null;
  }

  async upsert(booking: BookingRecord): Promise<void> {
    this.bookings.set(booking.id, structuredClone(booking));
  }
}
