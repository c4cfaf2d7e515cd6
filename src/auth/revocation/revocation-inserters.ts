import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { ClaimInserter } from '../../database/claim-inserter.js';
import { InjectOtpAuthRepository } from '../../database/otp-auth-repositories.js';
import { RevokedTokenFamily } from './revoked-token-family.entity.js';
import { TokenBlacklistEntry } from './token-blacklist.entity.js';

/** A blacklist row as callers hand it in: everything but the generated id. */
export type BlacklistRow = Omit<TokenBlacklistEntry, 'id'>;

/** Blacklists single tokens (refresh rotations, logouts, used reset tokens). */
@Injectable()
export class BlacklistInserter extends ClaimInserter<BlacklistRow> {
  constructor(
    @InjectOtpAuthRepository(TokenBlacklistEntry) blacklist: Repository<TokenBlacklistEntry>,
  ) {
    super(blacklist, ['jti', 'tokenType', 'userId', 'reason', 'expiresAt', 'createdAt']);
  }
}

/** A revoked family as callers hand it in: its `created_at` is the database's default. */
export type RevokedFamilyRow = Omit<RevokedTokenFamily, 'createdAt'>;

/** Revokes whole token families (sessions). */
@Injectable()
export class FamilyInserter extends ClaimInserter<RevokedFamilyRow> {
  constructor(
    @InjectOtpAuthRepository(RevokedTokenFamily) families: Repository<RevokedTokenFamily>,
  ) {
    super(families, ['familyId', 'userId', 'reason', 'expiresAt']);
  }
}
