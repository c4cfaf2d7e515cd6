import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Kinds of token that are revoked one by one. */
export type BlacklistedTokenType = 'access' | 'refresh' | 'reset';

/** Why a token was revoked. */
export type RevocationReason = 'rotated' | 'logout' | 'used' | 'reuse_detected';

/** One revoked token, kept until the token would have expired anyway. */
@Entity({ name: 'token_blacklist' })
export class TokenBlacklistEntry {
  @PrimaryGeneratedColumn()
  id: number;

  /** The token's `jti`; unique, so that revoking is also an atomic claim (single use). */
  @Column({ type: 'varchar', length: 64, unique: true })
  jti: string;

  @Column({ name: 'token_type', type: 'varchar', length: 16 })
  tokenType: BlacklistedTokenType;

  /** Whose token it was; not indexed, as no query looks rows up by user. */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  reason: RevocationReason;

  @Index()
  @Column({ name: 'expires_at' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
