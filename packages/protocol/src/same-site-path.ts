// The WHATWG URL parser, as browsers and Node both have it; this package is typed for neither.
interface ParsedUrl {
  origin: string;
  pathname: string;
  search: string;
  hash: string;
}
declare const URL: new (input: string, base: string) => ParsedUrl;

const BASE = 'https://same-site.invalid';

// Browsers drop tabs and newlines inside a URL and read `\` as `/`, so `/\t/evil.example` and
// `/\evil.example` both lead to `//evil.example`: another site. Control characters are matched
// on purpose here.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * `value` as a path on this site (`/path?query#fragment`, normalised as a browser would), or
 * null when a browser could take it anywhere else. The one rule for every in-app redirect
 * (`/login?next=`) and every notification link, on the server and in the browser.
 */
export function sameSitePath(value: string): string | null {
  if (!value.startsWith('/') || UNSAFE_CHARACTERS.test(value)) return null;
  let url: ParsedUrl;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse into a leading `//` (`/.//evil.example`): a host again.
  return path.startsWith('//') ? null : path;
}
