/** Splits a message body into text and `@handle` parts; rendered as text, never as HTML. */
export function splitMentions(body: string): Array<{ text: string; mention: boolean }> {
  const parts: Array<{ text: string; mention: boolean }> = [];
  const pattern = /(^|[^a-z0-9_@])(@[a-z0-9_]{2,32})(?![a-z0-9_])/gi;
  let last = 0;
  for (const match of body.matchAll(pattern)) {
    const start = match.index + match[1]!.length;
    if (start > last) parts.push({ text: body.slice(last, start), mention: false });
    parts.push({ text: match[2]!, mention: true });
    last = start + match[2]!.length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), mention: false });
  return parts;
}

/** The `@prefix` being typed right before the caret, if any. */
export function mentionQueryAt(
  text: string,
  caret: number,
): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[^a-z0-9_@])@([a-z0-9_]{0,32})$/i.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() };
}
