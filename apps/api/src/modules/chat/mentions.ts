// `@handle` preceded by start, whitespace or punctuation other than word characters and `@`
// (so e-mail addresses do not mention anyone).
const MENTION_PATTERN = /(?<![\w@])@([a-z0-9_]{2,32})(?![\w])/gi;

/** Distinct lower-case handles mentioned in a message body, in order of first appearance. */
export function extractMentionedHandles(body: string): string[] {
  const handles = new Set<string>();
  for (const match of body.matchAll(MENTION_PATTERN)) handles.add(match[1]!.toLowerCase());
  return [...handles];
}
