import { Injectable } from '@nestjs/common';
import { type UserRecord, UserRepository } from '../../../modules/users/user.repository';

@Injectable()
export class MemoryUserRepository extends UserRepository {
  private readonly users = new Map<string, UserRecord>();
  private readonly idByEmail = new Map<string, string>();
  private readonly idByHandle = new Map<string, string>();

  async findById(id: string): Promise<UserRecord | null> {
    const user = this.users.get(id);
    return user ? structuredClone(user) : null;
  }

  async findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    return ids.flatMap((id) => {
      const user = this.users.get(id);
      return user ? [structuredClone(user)] : [];
    });
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const id = this.idByEmail.get(email);
    return id ? this.findById(id) : null;
  }

  async findByHandle(handle: string): Promise<UserRecord | null> {
    const id = this.idByHandle.get(handle);
    return id ? this.findById(id) : null;
  }

  async upsert(user: UserRecord): Promise<{ conflict: 'email' | 'handle' | null }> {
    const emailOwner = this.idByEmail.get(user.email);
    if (emailOwner && emailOwner !== user.id) return { conflict: 'email' };
    const handleOwner = this.idByHandle.get(user.handle);
    if (handleOwner && handleOwner !== user.id) return { conflict: 'handle' };
    const previous = this.users.get(user.id);
    if (previous) {
      this.idByEmail.delete(previous.email);
      this.idByHandle.delete(previous.handle);
    }
    this.users.set(user.id, structuredClone(user));
    this.idByEmail.set(user.email, user.id);
    this.idByHandle.set(user.handle, user.id);
    return { conflict: null };
  }

  async replacePasswordHash(id: string, expected: string, next: string): Promise<boolean> {
    const user = this.users.get(id);
    if (!user || user.passwordHash !== expected) return false;
    user.passwordHash = next;
    return true;
  }
}
