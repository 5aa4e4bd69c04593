import { describe, expect, it } from 'vitest';
import { PasswordHasher } from './password-hasher';

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it('verifies the right password and rejects others', async () => {
    const hash = await sut.hash('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await sut.verify('correct horse', hash)).toBe(true);
    expect(await sut.verify('correct horse ', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await sut.hash('same')).not.toBe(await sut.hash('same'));
  });

  it('rejects malformed stored hashes', async () => {
    expect(await sut.verify('x', 'md5$abc')).toBe(false);
  });
});
