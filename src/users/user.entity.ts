import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An account, created only once its e-mail address has been confirmed with an OTP. */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Trimmed and lower-cased; unique. */
  @Column({ type: 'varchar', length: 254, unique: true })
  email: string;

  @Column({ name: 'full_name', type: 'varchar', length: 150 })
  fullName: string;

  /** argon2id, PHC string format. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'date_joined' })
  dateJoined: Date;

  @Column({ name: 'password_changed_at' })
  passwordChangedAt: Date;

  /**
   * When the address last changed (null: never). Reset tokens carry it, so that one mailed to
   * the previous address stops working once the address changes.
   */
  @Column({ name: 'email_changed_at', type: Date, nullable: true })
  emailChangedAt: Date | null;

  /**
   * Raised to revoke every token the user holds at once (logout-all, password change or reset,
   * deactivation): tokens carry the generation they were issued in, so no row per token is needed.
   */
  @Column({ name: 'token_generation', type: 'integer', default: 0 })
  tokenGeneration: number;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}
