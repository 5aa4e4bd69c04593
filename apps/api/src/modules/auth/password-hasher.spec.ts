import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ARGON2ID, PasswordHasher } from './password-hasher';

/** A hash as the API stored them before: scrypt at N=2^15. */
function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', 2 ** 15, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it("hashes with argon2id at OWASP's 19 MiB, 2 passes, 1 lane, and verifies only the right password", async () => {
    const hash = await sut.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[\w+/]{22}\$[\w+/]{43}$/);
    expect(ARGON2ID).toEqual({ memory: 19_456, passes: 2, parallelism: 1 });
    expect(await sut.verify('correct horse', hash)).toBe(true);
    expect(await sut.verify('correct horse ', hash)).toBe(false);
    expect(sut.needsRehash(hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await sut.hash('same')).not.toBe(await sut.hash('same'));
  });

  it('still verifies the scrypt hashes stored before, and asks for them to be replaced', async () => {
    const legacy = legacyScryptHash('demo1234');
    expect(await sut.verify('demo1234', legacy)).toBe(true);
    expect(await sut.verify('demo12345', legacy)).toBe(false);
    expect(sut.needsRehash(legacy)).toBe(true);
    expect(sut.needsRehash('$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA')).toBe(true);
  });

  it('rejects malformed stored hashes without throwing', async () => {
    expect(await sut.verify('x', 'md5$abc')).toBe(false);
    expect(await sut.verify('x', '$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA')).toBe(false);
    expect(await sut.verify('x', 'scrypt$3$8$1$c2FsdA$aGFzaA')).toBe(false);
  });
});
