import { splitMentions } from './mentions';

export type RichPart =
  | { kind: 'text'; text: string }
  | { kind: 'mention'; text: string }
  | { kind: 'link'; text: string; href: string };

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
// Punctuation that ends a sentence rather than the address.
const TRAILING = /[.,;:!?'"»”’)\]}]+$/;

/** The address a link opens, or null for anything that is not plain http(s). */
export function safeHref(text: string): string | null {
  const candidate = /^www\./i.test(text) ? `https://${text}` : text;
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function trimTrailing(raw: string): string {
  let text = raw.replace(TRAILING, '');
  // A closing parenthesis that belongs to the address (as in Wikipedia links) stays.
  const tail = raw.slice(text.length);
  if (tail.startsWith(')') && text.split('(').length > text.split(')').length) text += ')';
  return text;
}

/**
 * A message body as text, `@handle` mentions and http(s) links, for rendering as React text
 * nodes and anchors: a body is never parsed as HTML, and no other scheme becomes a link.
 */
export function richText(body: string): RichPart[] {
  const parts: RichPart[] = [];
  const pushText = (text: string) => {
    for (const part of splitMentions(text)) {
      parts.push(
        part.mention ? { kind: 'mention', text: part.text } : { kind: 'text', text: part.text },
      );
    }
  };
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const text = trimTrailing(match[0]);
    const href = safeHref(text);
    if (!href) continue;
    if (match.index > last) pushText(body.slice(last, match.index));
    parts.push({ kind: 'link', text, href });
    last = match.index + text.length;
  }
  if (last < body.length) pushText(body.slice(last));
  return parts;
}
