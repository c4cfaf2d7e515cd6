import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A revoked session: every refresh and access token issued under this family (one login and
 * its rotations) is refused, without a row per token.
 */
@Entity({ name: 'revoked_token_families' })
export class RevokedTokenFamily {
  @PrimaryColumn({ name: 'family_id', type: 'varchar', length: 36 })
  familyId: string;

  /** Whose session it was; not indexed, as no query looks rows up by user. */
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ type: 'varchar', length: 32 })
  reason: string;

  @Index()
  @Column({ name: 'expires_at' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
