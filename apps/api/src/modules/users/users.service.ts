import { Injectable } from '@nestjs/common';
import { type UpsertUserBody, type User, type UserSummary } from '@chat/protocol';
import { BadRequestError, ConflictError, NotFoundError } from '../../common/domain-errors';
import { DomainEvents } from '../../common/domain-events';
import { PasswordHasher } from '../auth/password-hasher';
import { SessionsService } from '../auth/sessions.service';
import { type UserRecord, UserRepository } from './user.repository';

export function toPublicUser(record: UserRecord): User {
  const { passwordHash: _passwordHash, ...user } = record;
  return user;
}

export function toUserSummary(user: User): UserSummary {
  return { id: user.id, name: user.name, handle: user.handle, role: user.role };
}

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly passwords: PasswordHasher,
    private readonly events: DomainEvents,
    private readonly sessions: SessionsService,
  ) {}

  /**
   * Creates or updates a user; the password is kept when none is given. A new password ends
   * every session of the user (sent again unchanged, it ends none).
   */
  async upsert(id: string, input: UpsertUserBody): Promise<User> {
    const previous = await this.users.findById(id);
    const passwordChanged =
      input.password !== undefined &&
      previous?.passwordHash != null &&
      !(await this.passwords.verify(input.password, previous.passwordHash));
    const passwordHash = input.password
      ? await this.passwords.hash(input.password)
      : (previous?.passwordHash ?? null);
    const user = await this.save(id, input, passwordHash, previous);
    if (passwordChanged) await this.sessions.endAllOf(id);
    return user;
  }

  /** Ends every session of a user (offboarding, a suspected compromise); resolves with how many. */
  async endSessions(id: string): Promise<number> {
    if (!(await this.users.findById(id))) throw new NotFoundError('No such user');
    return this.sessions.endAllOf(id);
  }

  async upsertWithPasswordHash(
    id: string,
    input: Omit<UpsertUserBody, 'password'>,
    passwordHash: string | null,
  ): Promise<User> {
    return this.save(id, input, passwordHash, await this.users.findById(id));
  }

  async findById(id: string): Promise<User | null> {
    const record = await this.users.findById(id);
    return record ? toPublicUser(record) : null;
  }

  private async save(
    id: string,
    input: Omit<UpsertUserBody, 'password'>,
    passwordHash: string | null,
    previous: UserRecord | null,
  ): Promise<User> {
    const record: UserRecord = {
      id,
      email: input.email,
      name: input.name,
      handle: input.handle,
      role: input.role,
      country: input.country,
      passwordHash,
    };
    const { conflict } = await this.users.upsert(record);
    if (conflict) throw new ConflictError(`Another user already has this ${conflict}`);
    if (previous && (previous.role !== record.role || previous.country !== record.country)) {
      // What they take part in and open sockets were authorized as the user they were.
      await this.events.dispatch('user.access.changed', { userId: id });
    }
    if (previous && (previous.name !== record.name || previous.handle !== record.handle)) {
      await this.events.dispatch('user.profile.changed', { userId: id });
    }
    return toPublicUser(record);
  }

  async summaries(ids: readonly string[]): Promise<Map<string, UserSummary>> {
    const records = await this.users.findByIds(ids);
    return new Map(records.map((record) => [record.id, toUserSummary(record)] as const));
  }

  async requireSummary(id: string, field: string): Promise<UserSummary> {
    const user = await this.users.findById(id);
    if (!user) {
      throw new BadRequestError(`Unknown ${field}`, [
        { path: `${field}Id`, message: 'no such user' },
      ]);
    }
    return toUserSummary(user);
  }
}
