import { RevokedTokenFamily } from '../auth/revocation/revoked-token-family.entity.js';
import { TokenBlacklistEntry } from '../auth/revocation/token-blacklist.entity.js';
import { Session } from '../auth/sessions/session.entity.js';
import { User } from '../users/user.entity.js';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema.js';
import { TimestampsWithTimeZone1764100000000 } from './migrations/1764100000000-timestamps-with-time-zone.js';
import { DropUnqueriedUserIdIndices1764200000000 } from './migrations/1764200000000-drop-unqueried-user-id-indices.js';
import { Sessions1764300000000 } from './migrations/1764300000000-sessions.js';
import { EmailChangedAt1764400000000 } from './migrations/1764400000000-email-changed-at.js';
import { LiveSessionsIndex1764500000000 } from './migrations/1764500000000-live-sessions-index.js';

/** The entities otp-auth maps; a host that brings its own connection registers these. */
export const OTP_AUTH_ENTITIES = [User, TokenBlacklistEntry, RevokedTokenFamily, Session];

/** The migrations that create them, oldest first. */
export const OTP_AUTH_MIGRATIONS = [
  InitialSchema1764000000000,
  TimestampsWithTimeZone1764100000000,
  DropUnqueriedUserIdIndices1764200000000,
  Sessions1764300000000,
  EmailChangedAt1764400000000,
  LiveSessionsIndex1764500000000,
];
