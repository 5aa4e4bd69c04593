import { argon2, randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/**
 * Argon2id with OWASP's first recommended setting: 19 MiB, 2 passes, 1 lane (about 40 ms on
 * one core of the CI machine). scrypt at OWASP's N=2^17 takes 128 MiB and 350 ms a hash for the
 * same protection, which four concurrent logins turn into half a gigabyte.
 */
export const ARGON2ID = { memory: 19_456, passes: 2, parallelism: 1 } as const;
const TAG_LENGTH = 32;
const SALT_LENGTH = 16;

const ARGON2_FORMAT = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([\w+/]+)\$([\w+/]+)$/;

// PHC strings carry base64 without padding.
const encode = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

function argon2id(
  password: string,
  salt: Buffer,
  cost: { memory: number; passes: number; parallelism: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      { message: password, nonce: salt, tagLength: TAG_LENGTH, ...cost },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

function scryptKey(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  length: number,
) {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const sameKey = (key: Buffer, expected: Buffer) =>
  key.length === expected.length && timingSafeEqual(key, expected);

/**
 * Password hashes in the PHC format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). Hashes made before
 * (`scrypt$N$r$p$salt$hash`) still verify, and {@link needsRehash} says which to replace on the
 * next successful login.
 */
@Injectable()
export class PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    const key = await argon2id(password, salt, ARGON2ID);
    const { memory, passes, parallelism } = ARGON2ID;
    return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${encode(salt)}$${encode(key)}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const argon = ARGON2_FORMAT.exec(stored);
    if (argon) {
      const [, memory, passes, parallelism, salt, expected] = argon;
      const expectedKey = Buffer.from(expected!, 'base64');
      const key = await argon2id(password, Buffer.from(salt!, 'base64'), {
        memory: Number(memory),
        passes: Number(passes),
        parallelism: Number(parallelism),
      }).catch(() => null);
      return key !== null && sameKey(key, expectedKey);
    }
    const [scheme, N, r, p, salt, expected] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !expected) return false;
    const expectedKey = Buffer.from(expected, 'base64url');
    const key = await scryptKey(
      password,
      Buffer.from(salt, 'base64url'),
      Number(N),
      Number(r),
      Number(p),
      expectedKey.length,
    ).catch(() => null);
    return key !== null && sameKey(key, expectedKey);
  }

  /** Whether a stored hash is weaker than what {@link hash} makes now. */
  needsRehash(stored: string): boolean {
    const argon = ARGON2_FORMAT.exec(stored);
    if (!argon) return true;
    const [, memory, passes, parallelism] = argon.map(Number);
    return (
      memory! < ARGON2ID.memory || passes! < ARGON2ID.passes || parallelism! < ARGON2ID.parallelism
    );
  }
}
