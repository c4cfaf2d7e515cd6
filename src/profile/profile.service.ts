import { Injectable } from '@nestjs/common';
import { BoundedMap } from '../common/bounded-map.js';
import { InvalidAccessTokenException } from '../common/errors/invalid-access-token.exception.js';
import { SecurityLog } from '../common/logging/security-log.js';
import { TokenRevocationService } from '../auth/revocation/token-revocation.service.js';
import { AtomicStore } from '../state/atomic-store.js';
import { UsersService } from '../users/users.service.js';
import { toProfileResponse, type ProfileResponse } from './dto/profile.response.js';

/** How long a profile stays cached; every change overwrites or drops it at once anyway. */
const PROFILE_CACHE_MS = 10 * 60_000;
/** Parsed profiles kept at most; the oldest is forgotten first. */
const MAX_PARSED = 10_000;

/**
 * The signed-in user's own account: read, rename, deactivate (the address changes through
 * `email-change/`, which refreshes the cached copy here). `GET me/` is the most frequent
 * guarded call, so the profile is cached in the {@link AtomicStore} (shared by every instance with
 * Redis) instead of costing a database round trip per request. As for the revocation cache,
 * writes overwrite the cached copy and reads fill it only with set-if-absent, so a read racing a
 * rename never puts the old name back. The copy is evictable: the database has the profile.
 */
@Injectable()
export class ProfileService {
  private readonly securityLog = new SecurityLog('Profile');
  /** Profiles as parsed, each with the cached JSON it was parsed from, by user id. */
  private readonly parsed = new BoundedMap<string, { json: string; profile: ProfileResponse }>(
    MAX_PARSED,
  );

  constructor(
    private readonly users: UsersService,
    private readonly revocation: TokenRevocationService,
    private readonly cache: AtomicStore,
  ) {}

  /**
   * The profile, from the cached copy when there is one. `prefetched` is that copy as the Bearer
   * check already read it (see PrefetchFromStore; null: none), or undefined to read it here.
   */
  async get(userId: string, prefetched?: string | null): Promise<ProfileResponse> {
    const cached = prefetched === undefined ? await this.cache.get(profileKey(userId)) : prefetched;
    if (cached !== null) return this.parse(userId, cached);
    const profile = await this.load(userId);
    await this.cache.setIfAbsent(profileKey(userId), JSON.stringify(profile), PROFILE_CACHE_MS, {
      evictable: true,
    });
    return profile;
  }

  async rename(userId: string, fullName: string): Promise<ProfileResponse> {
    await this.users.updateFullName(userId, fullName);
    return this.refresh(userId);
  }

  /**
   * The profile as the database has it now, written over the cached copy (shared by every
   * instance with Redis): call after any change of the account's row.
   */
  async refresh(userId: string): Promise<ProfileResponse> {
    const profile = await this.load(userId);
    await this.cache.set(profileKey(userId), JSON.stringify(profile), PROFILE_CACHE_MS, {
      evictable: true,
    });
    return profile;
  }

  /** Soft delete: the row stays, the account can no longer sign in, every token dies. */
  async deactivate(userId: string): Promise<void> {
    await this.revocation.revokeAllForUser(userId, { isActive: false });
    this.securityLog.info('account_deactivated', { user_id: userId });
    await this.cache.delete(profileKey(userId));
  }

  /**
   * The cached JSON as an object. Parsing is skipped while the cached text stays the one parsed
   * last (a rename changes it); each caller gets its own copy to do with as it likes.
   */
  private parse(userId: string, json: string): ProfileResponse {
    let entry = this.parsed.get(userId);
    if (entry?.json !== json) {
      entry = { json, profile: JSON.parse(json) as ProfileResponse };
      this.parsed.set(userId, entry);
    }
    return { ...entry.profile };
  }

  private async load(userId: string): Promise<ProfileResponse> {
    const user = await this.users.findById(userId);
    // The guard let the token through, so only a race with deactivation lands here.
    if (!user || !user.isActive) throw new InvalidAccessTokenException();
    return toProfileResponse(user);
  }
}

/** The key of a user's cached profile; `GET me/` has the Bearer check read it. */
export function profileKey(userId: string): string {
  return `profile:${userId}`;
}
