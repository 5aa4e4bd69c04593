import { describe, expect, it } from 'vitest';
import { luaKey } from './lua-keys';
import { redisKeys } from './redis-keys';

describe(luaKey.name, () => {
  it('renders a key with its ids as Lua variables', () => {
    expect(luaKey(redisKeys.userInbox, 'user')).toBe("'chat:{user:' .. user .. '}:inbox'");
    expect(luaKey(redisKeys.messagesByAuthor, 'conversation', 'user')).toBe(
      "'chat:{conversation:' .. conversation .. '}:author:' .. user",
    );
  });
});
