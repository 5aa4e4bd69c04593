/**
 * A Lua expression for a key computed inside a script, from a key function of `redisKeys` and
 * the names of Lua variables holding its ids: `luaKey(redisKeys.userInbox, 'user')` gives
 * `'chat:user:' .. user .. ':inbox'`. Scripts that reach the keys of every participant of a
 * conversation compute them this way, from the one place that names keys.
 */
export function luaKey(key: (...ids: string[]) => string, ...variables: string[]): string {
  const markers = variables.map((_, index) => String.fromCharCode(1 + index));
  const parts: string[] = [];
  let rest = key(...markers);
  markers.forEach((marker, index) => {
    const at = rest.indexOf(marker);
    if (at < 0) throw new Error(`the key does not use id ${index + 1}`);
    if (at > 0) parts.push(quote(rest.slice(0, at)));
    parts.push(variables[index]!);
    rest = rest.slice(at + marker.length);
  });
  if (rest) parts.push(quote(rest));
  return parts.join(' .. ');
}

function quote(text: string): string {
  if ([...text].some((character) => character === "'" || character === '\\' || character < ' '))
    throw new Error(`cannot quote ${JSON.stringify(text)} for Lua`);
  return `'${text}'`;
}
