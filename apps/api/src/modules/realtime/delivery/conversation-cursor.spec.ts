import { describe, expect, it } from 'vitest';
import { ConversationCursor } from './conversation-cursor';
import { encodeMessage, type LiveMessage } from './room-events';

function message(seq: number): LiveMessage {
  return encodeMessage({
    id: `m${seq}`,
    conversationId: 'th_1',
    seq,
    author: { id: 'u1', name: 'One', handle: 'one', role: 'customer' },
    body: `#${seq}`,
    mentions: [],
    createdAt: new Date(0).toISOString(),
  });
}

function setup(logLength: number, startAt = 1) {
  const delivered: number[] = [];
  const fetches: Array<[number, number]> = [];
  const log = Array.from({ length: logLength }, (_, index) => message(index + 1));
  const sut = new ConversationCursor(
    {
      deliver: (item) => delivered.push(item.seq),
      fetch: async (fromSeq, toSeq) => {
        fetches.push([fromSeq, toSeq]);
        return log.slice(fromSeq - 1, toSeq);
      },
    },
    3,
    startAt,
  );
  return { sut, delivered, fetches, log };
}

describe(ConversationCursor.name, () => {
  it('delivers in seq order, drops duplicates and fills gaps from the log', async () => {
    const { sut, delivered, fetches } = setup(10);
    await sut.release();
    await sut.offer(message(1));
    await sut.offer(message(1));
    await sut.offer(message(4));
    expect(delivered).toEqual([1, 2, 3, 4]);
    expect(fetches).toEqual([[2, 3]]);
    await sut.offer(message(3));
    expect(delivered).toEqual([1, 2, 3, 4]);
  });

  it('hands the next message over at once when nothing is waiting, and waits behind a read in progress', async () => {
    const { sut, delivered, fetches } = setup(6);
    await sut.release();
    expect(sut.offer(message(1))).toBeUndefined();
    expect(delivered).toEqual([1]);

    const gap = sut.offer(message(4));
    expect(gap).toBeInstanceOf(Promise);
    const during = [sut.offer(message(2)), sut.offer(message(5))];
    expect(during.every((offered) => offered instanceof Promise)).toBe(true);
    await Promise.all([gap, ...during]);
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    expect(fetches).toEqual([[2, 3]]);

    expect(sut.offer(message(6))).toBeUndefined();
    expect(sut.offer(message(6))).toBeUndefined();
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('handles a burst of out-of-order offers made in one synchronous step', async () => {
    const { sut, delivered } = setup(6);
    await sut.release();
    const offers = [2, 1, 3, 5, 4, 6].map((seq) => sut.offer(message(seq)));
    await Promise.all(offers);
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('replays up to lastSeq while holding live messages, then releases them without duplicates', async () => {
    const { sut, delivered } = setup(12);
    await sut.offer(message(11));
    await sut.offer(message(9));
    sut.skipTo(6);
    await sut.fillTo(10);
    expect(delivered).toEqual([6, 7, 8, 9, 10]);
    await sut.offer(message(12));
    expect(delivered).toEqual([6, 7, 8, 9, 10]);
    await sut.release();
    expect(delivered).toEqual([6, 7, 8, 9, 10, 11, 12]);
  });

  it('reads big gaps in chunks', async () => {
    const { sut, delivered, fetches } = setup(8);
    await sut.release();
    await sut.offer(message(8));
    expect(delivered).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(fetches).toEqual([
      [1, 3],
      [4, 6],
      [7, 7],
    ]);
  });

  it('fails when the log does not have a message it must have', async () => {
    const { sut } = setup(2);
    await sut.release();
    await expect(sut.offer(message(5))).rejects.toThrow(/no seq 3/);
  });

  it('delivers nothing once closed', async () => {
    const { sut, delivered } = setup(5);
    await sut.release();
    sut.close();
    await sut.offer(message(1));
    await sut.fillTo(5);
    expect(delivered).toEqual([]);
  });
});
