import { BadRequestError } from '../../common/domain-errors';

/**
 * Where a paged listing stands: `snapshot` is the latest activity when its first page was read,
 * and the pages list the conversations as they were ordered then; `below` is the activity (as of
 * the snapshot) of the last conversation the previous page looked at.
 */
export interface InboxCursor {
  snapshot: number;
  below: number;
}

const VERSION = 1;

export function encodeCursor(cursor: InboxCursor): string {
  return Buffer.from(JSON.stringify([VERSION, cursor.snapshot, cursor.below])).toString(
    'base64url',
  );
}

export function decodeCursor(text: string): InboxCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 3 && value[0] === VERSION) {
      const [, snapshot, below] = value as [number, unknown, unknown];
      if (
        Number.isSafeInteger(snapshot) &&
        typeof below === 'number' &&
        Number.isFinite(below) &&
        (snapshot as number) >= 0
      ) {
        return { snapshot: snapshot as number, below };
      }
    }
  } catch {
    // reported below
  }
  throw new BadRequestError('Invalid cursor', [
    { path: 'cursor', message: 'pass the nextCursor of the previous page as it came' },
  ]);
}
