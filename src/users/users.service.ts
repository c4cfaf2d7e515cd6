import { ConflictException, Injectable } from '@nestjs/common';
import { ClaimInserter } from '../database/claim-inserter.js';
import { CompiledQuery, selectProperties } from '../database/compiled-query.js';
import { InjectOtpAuthRepository } from '../database/otp-auth-repositories.js';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, Repository } from 'typeorm';
import { User } from './user.entity.js';

/** What it takes to create an account; the password is already hashed. */
export interface NewUser {
  email: string;
  fullName: string;
  passwordHash: string;
}

export const EMAIL_ALREADY_REGISTERED = 'Email already registered.';

/** Unique-constraint violations: SQLite's SQLITE_CONSTRAINT and PostgreSQL's 23505. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; errno?: number } | undefined;
  return driverError?.code === '23505' || driverError?.code === 'SQLITE_CONSTRAINT';
}

/** Account storage. E-mails arrive here already trimmed and lower-cased. */
@Injectable()
export class UsersService {
  /** Every login and registration reads a user by address: its SQL is written once. */
  private readonly byEmail: CompiledQuery<User>;
  private readonly inserter: ClaimInserter<NewUserRow>;

  constructor(@InjectOtpAuthRepository(User) private readonly users: Repository<User>) {
    this.byEmail = new CompiledQuery(users, () =>
      selectProperties(users.createQueryBuilder('user')).where('user.email = :email').limit(1),
    );
    this.inserter = new ClaimInserter(users, [
      'email',
      'id',
      'fullName',
      'passwordHash',
      'isActive',
      'dateJoined',
      'passwordChangedAt',
      'emailChangedAt',
      'tokenGeneration',
    ]);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.byEmail.getOne({ email });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** What the Bearer guard needs of a user: the token generation, and whether they may sign in. */
  async findTokenState(id: string): Promise<{ tokenGeneration: number; isActive: boolean } | null> {
    return this.users.findOne({ where: { id }, select: { tokenGeneration: true, isActive: true } });
  }

  /**
   * Raises the token generation, which revokes every token issued before, and applies `changes`
   * in the same UPDATE, so that a new password never coexists with old sessions. With
   * `expected`, the UPDATE only happens while the row still has those values (a compare-and-set).
   * Returns the new generation, or null when no row was updated.
   */
  async raiseTokenGeneration(
    id: string,
    changes: Partial<Pick<User, 'passwordHash' | 'passwordChangedAt' | 'isActive'>> = {},
    expected: { passwordHash?: string; isActive?: boolean; email?: string } = {},
  ): Promise<number | null> {
    const update = this.users
      .createQueryBuilder()
      .update(User)
      .set({ ...changes, tokenGeneration: () => 'token_generation + 1' })
      .where('id = :id', { id });
    if (expected.passwordHash !== undefined) {
      update.andWhere('password_hash = :expectedHash', { expectedHash: expected.passwordHash });
    }
    if (expected.isActive !== undefined) {
      update.andWhere('is_active = :expectedActive', { expectedActive: expected.isActive });
    }
    if (expected.email !== undefined) {
      update.andWhere('email = :expectedEmail', { expectedEmail: expected.email });
    }
    const { affected } = await update.execute();
    if (affected === 0) return null;
    const state = await this.findTokenState(id);
    return state?.tokenGeneration ?? null;
  }

  async updateFullName(id: string, fullName: string): Promise<void> {
    await this.users.update({ id }, { fullName });
  }

  /**
   * Moves an active account from `from` to `to`, and only while it still has `from`: of parallel
   * confirmations one changes the row, the others find it changed (false). The unique e-mail
   * constraint decides against an account created with `to` meanwhile (409). Sessions and the
   * password stay; `email_changed_at` spends the reset tokens mailed to `from`.
   */
  async changeEmail(id: string, from: string, to: string): Promise<boolean> {
    try {
      const { affected } = await this.users
        .createQueryBuilder()
        .update(User)
        .set({ email: to, emailChangedAt: new Date() })
        .where('id = :id', { id })
        .andWhere('email = :from', { from })
        .andWhere('is_active = :active', { active: true })
        .execute();
      return affected !== 0;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictException(EMAIL_ALREADY_REGISTERED);
      throw error;
    }
  }

  async emailExists(email: string): Promise<boolean> {
    return (await this.users.countBy({ email })) > 0;
  }

  /**
   * Creates the account; the unique e-mail constraint makes this the one place where two
   * parallel confirmations are decided: the loser gets 409. The row goes in by group commit
   * with those of parallel confirmations, one INSERT ... ON CONFLICT (email) DO NOTHING, whose
   * RETURNING names the winners (see ClaimInserter); `updated_at` takes its default, and the
   * user returned leaves it unset, as nobody reads it there.
   */
  async create(newUser: NewUser): Promise<User> {
    const now = new Date();
    const user: NewUserRow = {
      email: newUser.email,
      id: randomUUID(),
      fullName: newUser.fullName,
      passwordHash: newUser.passwordHash,
      isActive: true,
      dateJoined: now,
      passwordChangedAt: now,
      emailChangedAt: null,
      tokenGeneration: 0,
    };
    if (!(await this.inserter.insert(user))) {
      throw new ConflictException(EMAIL_ALREADY_REGISTERED);
    }
    return this.users.create(user);
  }
}

/** A new account's row: every column but `updated_at`, the address first (the claimed key). */
type NewUserRow = Omit<User, 'updatedAt'>;
