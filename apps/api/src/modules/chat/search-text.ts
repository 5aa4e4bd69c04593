/** Search tokens are at most this long; longer words are cut (a prefix still matches them). */
const TOKEN_MAX = 32;

/**
 * Text as search compares it: decomposed, without Latin accents (`Nguyễn` → `nguyen`, `đ` → `d`),
 * lower case. Marks of other scripts (Thai vowels and tones) are part of their letters and stay.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/** The distinct words of `texts` as search tokens: letters (with their marks) and digits. */
export function searchTokens(...texts: string[]): string[] {
  const tokens = new Set<string>();
  for (const text of texts) {
    for (const word of foldForSearch(text).split(/[^\p{L}\p{M}\p{N}]+/u)) {
      if (word) tokens.add(word.slice(0, TOKEN_MAX));
    }
  }
  return [...tokens];
}
