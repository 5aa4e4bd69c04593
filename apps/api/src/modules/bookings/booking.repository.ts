export interface BookingRecord {
  id: string;
  ref: string;
  country: string;
  creatorId: string;
  managerId: string | null;
}

export abstract class BookingRepository {
  abstract findById(id: string): Promise<BookingRecord | null>;
  abstract upsert(booking: BookingRecord): Promise<void>;
}
