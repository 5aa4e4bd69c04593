/** A small cookie-keeping HTTP client for black-box tests of the API. */
export class HttpClient {
  private cookie: string | null = null;

  constructor(private readonly baseUrl: string) {}

  get sessionCookie(): string | null {
    return this.cookie;
  }

  set sessionCookie(value: string | null) {
    this.cookie = value;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = response.headers.getSetCookie().find((value) => value.startsWith('sid='));
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair === 'sid=' ? null : pair;
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }

  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', path, body ?? {}, headers);
  }

  put(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('PUT', path, body ?? {}, headers);
  }

  async login(email: string, password = 'demo1234') {
    const response = await this.post('/api/auth/login', { email, password });
    if (response.status !== 200) throw new Error(`login ${email} failed: ${response.status}`);
    return response.body.user as { id: string; handle: string };
  }
}

export const DEMO = {
  alice: 'alice@demo.test',
  bob: 'bob@demo.test',
  linh: 'linh@demo.test',
  vu: 'vu@demo.test',
  somchai: 'somchai@demo.test',
  grace: 'grace@demo.test',
} as const;

export const BK_1001_THREAD = 'th_bk_1001';
export const BK_2001_THREAD = 'th_bk_2001';
