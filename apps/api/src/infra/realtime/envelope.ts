/**
 * What travels on the bus: a small JSON routing header, a newline, then an opaque body (a frame
 * that is ready to go to sockets). A receiving replica parses the header only; the body's bytes
 * go to its sockets as they came. JSON never contains a raw newline, so the first one ends the
 * header.
 */
export interface Envelope {
  /** The fields every header has, and the routing fields of the layer that published it. */
  header: EnvelopeHeader & Readonly<Record<string, unknown>>;
  body: Buffer;
}

/**
 * The fields every header has. Publishers add their own routing fields (flat strings and
 * numbers); the bus reads none of them.
 */
export interface EnvelopeHeader {
  /** The replica that published it. */
  origin: string;
  /** Wall-clock ms at publication, for the fanout latency histogram. */
  publishedAt: number;
}

const NEWLINE = 0x0a;

export function encodeEnvelope(header: EnvelopeHeader, body: string | Buffer): Buffer {
  const head = `${JSON.stringify(header)}\n`;
  return typeof body === 'string'
    ? Buffer.from(head + body)
    : Buffer.concat([Buffer.from(head), body]);
}

/** null for a payload that is not an envelope (nothing on our channels should be). */
export function decodeEnvelope(payload: Buffer): Envelope | null {
  const end = payload.indexOf(NEWLINE);
  if (end < 0) return null;
  try {
    const header = JSON.parse(payload.toString('utf8', 0, end)) as unknown;
    if (typeof header !== 'object' || header === null) return null;
    const { origin, publishedAt } = header as Partial<EnvelopeHeader>;
    if (typeof origin !== 'string' || typeof publishedAt !== 'number') return null;
    return { header: header as Envelope['header'], body: payload.subarray(end + 1) };
  } catch {
    return null;
  }
}

/**
 * The envelope around a body whose header ends with a number that only the publisher's store
 * knows (a message's `seq`, assigned inside the append script): the published bytes are
 * `head + number + middle + body`.
 */
export function envelopeAround(
  header: EnvelopeHeader,
  numberField: string,
): { head: string; middle: string } {
  const fields = JSON.stringify(header);
  return { head: `${fields.slice(0, -1)},${JSON.stringify(numberField)}:`, middle: '}\n' };
}
