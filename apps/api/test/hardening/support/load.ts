import WebSocket from 'ws';
import { type Message } from '@chat/protocol';
import { RealtimeClient, type WebSocketLike } from '@chat/realtime-client';
import { HttpClient } from '../../support/http-client';

/** Environment for instances under fault tests: the abuse limits are tested elsewhere (floods). */
export const LOAD_ENVIRONMENT = {
  WS_MAX_SOCKETS_PER_USER: '10000',
  WS_CONNECT_RATE_PER_IP: '0',
  LOGIN_RATE_PER_IP: '0',
  LOGIN_RATE_PER_ACCOUNT: '0',
  MESSAGE_RATE_PER_USER: '0',
} as const;

export interface FleetClient {
  client: RealtimeClient;
  /** Seqs delivered per conversation, in delivery order. */
  seqs: Map<string, number[]>;
  /** Codes of the closes that made it reconnect, in order. */
  closeCodes: number[];
  /** `ready` frames received (1 + reconnects). */
  readies: number;
  /** When the last `ready` arrived (performance.now()). */
  readyAt: number;
  /** Conversations the server confirmed (`subscribed`) at least once. */
  subscribed: Set<string>;
  /** Sockets it opened, and the instance each went to. */
  endpoints: string[];
  /** Its current socket, to cut it as a network failure would. */
  current: WebSocket | null;
}

/**
 * Many `@chat/realtime-client` clients (the library browsers use: reconnect with full-jitter
 * backoff, resubscribe with `since`, dedupe), each on the next endpoint in turn, as a load
 * balancer would place them; an endpoint that refuses or is dead costs a retry.
 */
export class Fleet {
  readonly clients: FleetClient[] = [];
  /** Called for every message any client delivers (after dedupe). */
  onMessage: ((message: Message, client: FleetClient) => void) | null = null;

  constructor(
    private readonly cookie: string,
    private endpoints: string[],
    private readonly backoff = { baseMs: 250, maxMs: 2_000 },
  ) {}

  /** Later (re)connections go only to these endpoints (a replica left the balancer). */
  useEndpoints(endpoints: string[]): void {
    this.endpoints = endpoints;
  }

  open(count: number, conversationIds: string[]): void {
    for (let index = 0; index < count; index++) {
      let attempt = index;
      const record: FleetClient = {
        client: null as unknown as RealtimeClient,
        seqs: new Map(conversationIds.map((id) => [id, []])),
        closeCodes: [],
        readies: 0,
        readyAt: 0,
        subscribed: new Set(),
        endpoints: [],
        current: null,
      };
      record.client = new RealtimeClient({
        url: () => {
          const url = this.endpoints[attempt++ % this.endpoints.length]!;
          record.endpoints.push(url);
          return url;
        },
        backoff: this.backoff,
        createWebSocket: (url) => {
          record.current = new WebSocket(url, {
            headers: { cookie: this.cookie },
            perMessageDeflate: false,
          });
          return record.current as unknown as WebSocketLike;
        },
      });
      record.client.on('state', (state, closed) => {
        if (state === 'reconnecting' && closed) record.closeCodes.push(closed.code);
      });
      record.client.on('subscribed', (data) => record.subscribed.add(data.conversationId));
      record.client.on('ready', () => {
        record.readies++;
        record.readyAt = performance.now();
      });
      record.client.on('message', (message: Message) => {
        record.seqs.get(message.conversationId)?.push(message.seq);
        this.onMessage?.(message, record);
      });
      for (const conversationId of conversationIds) record.client.subscribe(conversationId);
      record.client.connect();
      this.clients.push(record);
    }
  }

  /** Cuts a client's socket without a close frame, as a lost network does (it sees 1006). */
  cut(record: FleetClient): void {
    record.current?.terminate();
  }

  connected(): number {
    return this.clients.filter((record) => record.client.state === 'connected').length;
  }

  /** Clients connected and subscribed to every conversation they follow. */
  subscribed(): number {
    return this.clients.filter(
      (record) =>
        record.client.state === 'connected' && record.subscribed.size === record.seqs.size,
    ).length;
  }

  /** Clients that have every seq from 1 to `lastSeq` of each conversation. */
  caughtUp(lastSeqs: Map<string, number>): number {
    return this.clients.filter((record) =>
      [...lastSeqs].every(
        ([id, last]) => !record.seqs.has(id) || (record.seqs.get(id)!.at(-1) ?? 0) >= last,
      ),
    ).length;
  }

  /**
   * Per conversation: clients that missed a seq, and clients that got one twice or out of order,
   * judged against 1..lastSeq (every client subscribed from the start).
   */
  audit(lastSeqs: Map<string, number>): { lost: number; duplicated: number; outOfOrder: number } {
    let lost = 0;
    let duplicated = 0;
    let outOfOrder = 0;
    for (const record of this.clients) {
      for (const [id, last] of lastSeqs) {
        if (!record.seqs.has(id)) continue;
        const seqs = record.seqs.get(id)!;
        const unique = new Set(seqs);
        duplicated += seqs.length - unique.size;
        for (let seq = 1; seq <= last; seq++) if (!unique.has(seq)) lost++;
        for (let index = 1; index < seqs.length; index++)
          if (seqs[index]! <= seqs[index - 1]!) outOfOrder++;
      }
    }
    return { lost, duplicated, outOfOrder };
  }

  close(): void {
    for (const record of this.clients) record.client.close();
  }
}

export interface Posted {
  clientMessageId: string;
  conversationId: string;
  body: string;
  /** Set once the API acknowledged it (201 or 200): from then on it must never be lost. */
  seq: number | null;
  ackedAt: number | null;
  attempts: number;
  /** A retry found it already stored (HTTP 200): the first attempt was applied but not answered. */
  foundStored?: boolean;
}

/** Post number `sequence` of the writer `label`, not sent yet: ids and bodies say whose it is. */
export function newPost(label: string, sequence: number, conversationId: string): Posted {
  return {
    clientMessageId: `${label}-${sequence}`,
    conversationId,
    body: `${label} ${sequence}`,
    seq: null,
    ackedAt: null,
    attempts: 0,
  };
}

/**
 * Posts messages at a steady rate over HTTP, spread over instances, and retries every post
 * that was not acknowledged with the same `clientMessageId` (so a retry can never duplicate).
 */
export class Writer {
  readonly posted: Posted[] = [];
  readonly statuses = new Map<number, number>();
  /** Called when a post is first attempted (performance.now() is its start). */
  onPost: ((posted: Posted) => void) | null = null;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(
    private readonly cookie: string,
    private baseUrls: string[],
    private readonly conversationId: string,
    private readonly perSecond: number,
    private readonly label: string,
  ) {}

  useBaseUrls(baseUrls: string[]): void {
    this.baseUrls = baseUrls;
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const startedAt = Date.now();
        const posted = this.nextPost();
        this.onPost?.(posted);
        await this.attempt(posted);
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, 1000 / this.perSecond - (Date.now() - startedAt))),
        );
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The next post of this writer, recorded before it is sent. */
  private nextPost(): Posted {
    const posted = newPost(this.label, ++this.sequence, this.conversationId);
    this.posted.push(posted);
    return posted;
  }

  /** Retries the unacknowledged posts until each is acknowledged (bounded). */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = this.posted.filter((posted) => posted.seq === null);
      if (!pending.length) return;
      if (Date.now() > deadline) throw new Error(`${pending.length} posts never acknowledged`);
      for (const posted of pending) await this.attempt(posted);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Fires `count` posts at once at `baseUrl` without waiting: requests in flight for a fault. */
  burst(count: number, baseUrl: string): Promise<void> {
    const attempts: Array<Promise<void>> = [];
    for (let index = 0; index < count; index++) {
      attempts.push(this.attempt(this.nextPost(), baseUrl));
    }
    return Promise.all(attempts).then(() => undefined);
  }

  get acknowledged(): Posted[] {
    return this.posted.filter((posted) => posted.seq !== null);
  }

  private async attempt(posted: Posted, baseUrl?: string): Promise<void> {
    posted.attempts++;
    const http = new HttpClient(
      baseUrl ?? this.baseUrls[(this.sequence + posted.attempts) % this.baseUrls.length]!,
    );
    http.sessionCookie = this.cookie;
    try {
      const response = await http.post(
        `/api/chat/conversations/${posted.conversationId}/messages`,
        {
          body: posted.body,
          clientMessageId: posted.clientMessageId,
        },
      );
      this.statuses.set(response.status, (this.statuses.get(response.status) ?? 0) + 1);
      if (response.status === 201 || response.status === 200) {
        if (response.status === 200 && posted.attempts > 1) posted.foundStored = true;
        posted.seq = response.body.message.seq as number;
        posted.ackedAt = Date.now();
      }
    } catch {
      // The instance is gone (connection refused or reset): not acknowledged, retried later.
      this.statuses.set(0, (this.statuses.get(0) ?? 0) + 1);
    }
  }
}

/** Reads a conversation's whole log over HTTP (oldest first). */
export async function readLog(
  baseUrl: string,
  cookie: string,
  conversationId: string,
): Promise<Message[]> {
  const http = new HttpClient(baseUrl);
  http.sessionCookie = cookie;
  const messages: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await http.get(
      `/api/chat/conversations/${conversationId}/messages?limit=100${before ? `&before=${before}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`history: ${page.status}`);
    messages.unshift(...(page.body.messages as Message[]));
    if (!page.body.hasMore) return messages;
    before = (page.body.messages as Message[])[0]!.seq;
  }
}

/**
 * What the log says about the acknowledged posts: acknowledged ones missing (lost), and
 * client message ids stored more than once (duplicated), plus whether seqs are gapless.
 */
export function auditLog(log: Message[], acknowledged: Posted[], label: string) {
  const stored = log.filter((message) => message.body.startsWith(`${label} `));
  const bodies = new Map<string, number>();
  for (const message of stored) bodies.set(message.body, (bodies.get(message.body) ?? 0) + 1);
  const lost = acknowledged.filter((posted) => {
    const message = log.find((candidate) => candidate.seq === posted.seq);
    return !message || message.body !== posted.body;
  }).length;
  const duplicated = [...bodies.values()].filter((count) => count > 1).length;
  const gapless = log.every((message, index) => message.seq === index + 1);
  return { lost, duplicated, gapless, stored: stored.length };
}

/** Polls `condition` every 50 ms; resolves with the elapsed ms, or throws after `timeoutMs`. */
export async function timeUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - startedAt;
    if (Date.now() - startedAt > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The readiness status of an instance (0 when it does not answer). */
export async function readiness(baseUrl: string): Promise<number> {
  try {
    const response = await fetch(`${baseUrl}/api/health/ready`, {
      signal: AbortSignal.timeout(3_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
