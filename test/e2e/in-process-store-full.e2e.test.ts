import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { confirmThroughOutbox } from '../support/registration.js';
import { ServiceProcess } from '../support/service-process.js';
import { Paths as SessionPaths, type TokenPairBody } from '../support/session-helpers.js';
import { TEST_PROFILE } from '../support/test-storage.js';

/** The smallest bound the service takes. */
const MAX_ENTRIES = 1_000;
/** How long a revocation mark stays before it may make room (TokenRevocationService). */
const MARK_SETTLES_AFTER_MS = 20_000;
/** Rotations that fill the store, leaving room for the few other keys of the flow. */
const FILLING = MAX_ENTRIES - 50;

/**
 * Every rotation leaves a revocation mark in the in-process store for the rest of the token's
 * lifetime (a day by default). Were the marks never dropped, the store would fill after
 * `MEMORY_STORE_MAX_ENTRIES` refreshes within a day, and from then on every refresh and logout
 * would answer 503. Once its database row is surely written, a mark may make room.
 */
describe(
  'the in-process store full of revocation marks (the service process)',
  { skip: TEST_PROFILE === 'scaled' ? 'the scaled profile keeps its state in Redis' : false },
  () => {
    let dir: string;
    let service: ServiceProcess;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'otp-auth-store-full-'));
      service = await ServiceProcess.start(
        {
          MEMORY_STORE_MAX_ENTRIES: String(MAX_ENTRIES),
          RATE_LIMIT_PER_IP: '1000000',
          DATABASE_URL: `sqlite:${join(dir, 'otp-auth.sqlite')}`,
        },
        dir,
      );
    });
    after(async () => {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Follows the rotation chain of `refresh` `count` times; the statuses, and the last token. */
    async function rotate(refresh: string, count: number) {
      const statuses: number[] = [];
      for (let step = 0; step < count; step++) {
        const response = await service.post<TokenPairBody>(SessionPaths.refresh, { refresh });
        statuses.push(response.status);
        if (response.status !== 200) break;
        refresh = response.body.refresh;
      }
      return { statuses, refresh };
    }

    it('refreshes go on after the store has filled with the marks of rotated tokens', async () => {
      const account = await confirmThroughOutbox(service);
      const login = await service.post<TokenPairBody>(SessionPaths.login, {
        email: account.email,
        password: account.password,
      });
      assert.equal(login.status, 200, login.text);

      // Fill the store with marks (every rotation adds one), then let them settle.
      const filling = await rotate(login.body.refresh, FILLING);
      assert.ok(
        filling.statuses.every((status) => status === 200),
        `while filling: ${JSON.stringify(filling.statuses.filter((status) => status !== 200))}`,
      );
      await sleep(MARK_SETTLES_AFTER_MS + 1_000);

      const after = await rotate(filling.refresh, 200);
      assert.deepEqual(
        after.statuses.filter((status) => status !== 200),
        [],
        'every refresh after the store filled',
      );
      // The marks that made room are still answered by the database: the first token is dead.
      const first = await service.post(SessionPaths.refresh, { refresh: login.body.refresh });
      assert.equal(first.status, 401, first.text);
    });
  },
);
