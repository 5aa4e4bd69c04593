import { type ApiInstance } from './api-instance';
import { HttpClient } from './http-client';
import { type SocketOptions, TestSocket } from './ws-client';

export interface SignedIn {
  http: HttpClient;
  cookie: string;
  user: { id: string; handle: string };
  /** A socket of this session, after its `ready`. */
  socket(options?: Omit<SocketOptions, 'cookie'>): Promise<TestSocket>;
}

/** Logs in over HTTP and opens sockets with the session cookie. */
export async function signIn(api: Pick<ApiInstance, 'baseUrl'>, email: string): Promise<SignedIn> {
  const http = new HttpClient(api.baseUrl);
  const user = await http.login(email);
  const cookie = http.sessionCookie!;
  return {
    http,
    cookie,
    user,
    socket: (options = {}) => TestSocket.connect(api.baseUrl, { ...options, cookie }),
  };
}

/** Subscribes and waits for `subscribed`. */
export async function subscribe(socket: TestSocket, conversationId: string, since?: number) {
  const ref = `sub-${conversationId}-${Math.random().toString(36).slice(2)}`;
  socket.send(
    'subscribe',
    since === undefined ? { conversationId } : { conversationId, since },
    ref,
  );
  return socket.next('subscribed', (frame) => frame.ref === ref);
}

export function postMessage(
  client: HttpClient,
  conversationId: string,
  body: string,
  clientMessageId: string,
) {
  return client.post(`/api/chat/conversations/${conversationId}/messages`, {
    body,
    clientMessageId,
  });
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}

/** The value of one Prometheus sample line, e.g. `chat_ws_open_sockets`, from the metrics listener. */
export async function metric(api: { metricsUrl: string }, sample: string): Promise<number> {
  const text = await (await fetch(api.metricsUrl)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
