import { type BookingDetails } from '@chat/protocol';

export interface BookingRecord {
  id: string;
  ref: string;
  country: string;
  creatorId: string;
  managerId: string | null;
  details?: BookingDetails;
}

export abstract class BookingRepository {
  abstract findById(id: string): Promise<BookingRecord | null>;
  abstract upsert(booking: BookingRecord): Promise<void>;
}
