import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A login as its user sees it: one row per token family (the family id is the row's id), with
 * where and from what it was opened. Whether its tokens still work is decided by the revocation
 * state, not by this row; the row follows it so that the list shows only live sessions.
 */
@Entity({ name: 'sessions' })
@Index('IDX_sessions_user_id_revoked_at_created_at', ['userId', 'revokedAt', 'createdAt'])
export class Session {
  /** The token family's id. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  /**
   * The user's token generation at login. Raising the generation (logout-all, password change or
   * reset, deactivation) ends every earlier session with one UPDATE of the user; the list hides
   * rows of an older generation instead of marking each.
   */
  @Column({ name: 'token_generation', type: 'integer' })
  tokenGeneration: number;

  /** Written by the service (not a database default), so that it keeps the millisecond the cursor names. */
  @Column({ name: 'created_at' })
  createdAt: Date;

  /** The last refresh, at most a minute behind (see LastUsedWriter). */
  @Column({ name: 'last_used_at' })
  lastUsedAt: Date;

  /** When the family's refresh tokens expire: the session is over then, whatever happens. */
  @Index()
  @Column({ name: 'expires_at' })
  expiresAt: Date;

  /** The client address of the login, as the app resolves it (`TRUST_PROXY`). */
  @Column({ type: 'varchar', length: 45 })
  ip: string;

  @Column({ name: 'user_agent', type: 'varchar', length: 512 })
  userAgent: string;

  /** A short name of the client, e.g. "Firefox on Linux", parsed from the User-Agent. */
  @Column({ type: 'varchar', length: 64 })
  label: string;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt: Date | null;
}
