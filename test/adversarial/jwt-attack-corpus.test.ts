import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertErrorShape } from '../support/http-assertions.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TEST_JWT_SECRET, TestApp, type TestResponse } from '../support/test-app.js';
import {
  assertCleanLogs,
  freshPassword,
  loggedInAccount,
  login,
  Messages,
  Paths,
  rememberSecret,
  requestResetToken,
  sessionEnv,
  type Account,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { newKeyPair, signingEnv } from '../support/signing-keys.js';
import { asymmetricSigner, forgeriesOf, type Forgery } from './support/jwt-forgery.js';

type TokenKind = 'access' | 'refresh' | 'reset';

/** One place a token is accepted, and the refusal SPEC gives there. */
interface TokenSlot {
  name: string;
  kind: TokenKind;
  status: number;
  message?: string;
  send(token: string): Promise<TestResponse<SessionBody>>;
}

/** A server standing in for the attacker's: records whether a `jku`/`x5u` URL is ever fetched. */
async function attackerServer(): Promise<{ server: Server; url: string; fetched: string[] }> {
  const fetched: string[] = [];
  const server = createServer((request, response) => {
    fetched.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"keys":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, fetched };
}

for (const alg of ['HS256', 'EdDSA', 'ES256'] as const) {
  describe(`JWT attack corpus against every endpoint that takes a token (${alg})`, () => {
    /** The service's key pair with an asymmetric algorithm (HS256 signs with JWT_SECRET). */
    const keys = alg === 'HS256' ? undefined : newKeyPair(alg);
    let smtp: SmtpSink;
    let app: TestApp;
    let attacker: Awaited<ReturnType<typeof attackerServer>>;
    /** The account every forgery is made from; it must come out untouched. */
    let victim: Account & { tokens: TokenPairBody; reset: string };
    /** Another account, for genuine signatures of someone else. */
    let other: Account & { tokens: TokenPairBody; reset: string };
    let newPassword: string;

    /** Every place a token goes, with the SPEC's refusal. */
    function slots(): TokenSlot[] {
      const bearer = (
        name: string,
        send: (token: string) => Promise<TestResponse<SessionBody>>,
      ) => ({
        name,
        kind: 'access' as const,
        status: 401,
        send,
      });
      return [
        bearer('GET me', (token) => app.get<SessionBody>(Paths.me, { token })),
        bearer('PATCH me', (token) =>
          app.request<SessionBody>('PATCH', Paths.me, { token, body: { full_name: 'Forged' } }),
        ),
        bearer('DELETE me', (token) => app.request<SessionBody>('DELETE', Paths.me, { token })),
        bearer('logout (Bearer)', (token) =>
          app.post<SessionBody>(Paths.logout, { refresh_token: victim.tokens.refresh }, { token }),
        ),
        bearer('logout-all', (token) => app.post<SessionBody>(Paths.logoutAll, {}, { token })),
        bearer('change-password', (token) =>
          app.post<SessionBody>(
            Paths.changePassword,
            { current_password: victim.password, new_password: newPassword },
            { token },
          ),
        ),
        {
          name: 'token/refresh {refresh}',
          kind: 'refresh',
          status: 401,
          message: Messages.invalidRefreshToken,
          send: (token) => app.post<SessionBody>(Paths.refresh, { refresh: token }),
        },
        {
          name: 'token/refresh {refresh_token}',
          kind: 'refresh',
          status: 401,
          message: Messages.invalidRefreshToken,
          send: (token) => app.post<SessionBody>(Paths.refresh, { refresh_token: token }),
        },
        {
          name: 'logout {refresh_token}',
          kind: 'refresh',
          status: 400,
          message: Messages.invalidLogoutToken,
          send: (token) =>
            app.post<SessionBody>(
              Paths.logout,
              { refresh_token: token },
              { token: victim.tokens.access },
            ),
        },
        {
          name: 'reset-password {token}',
          kind: 'reset',
          status: 400,
          message: Messages.invalidResetToken,
          send: (token) =>
            app.post<SessionBody>(Paths.resetPassword, { token, new_password: newPassword }),
        },
      ];
    }

    function genuine(account: typeof victim, kind: TokenKind): string {
      return kind === 'reset' ? account.reset : account.tokens[kind];
    }

    async function assertRefused(slot: TokenSlot, what: string, token: string): Promise<void> {
      const response = await slot.send(token);
      assert.equal(
        response.status,
        slot.status,
        `${slot.name} accepted ${what}: ${response.status} ${response.text}`,
      );
      assertErrorShape(response as unknown as TestResponse);
      if (slot.message) assert.equal(response.body.message, slot.message, `${slot.name}: ${what}`);
      assert.ok(!response.text.includes(victim.email), `${slot.name}: ${what} leaked the profile`);
    }

    before(async () => {
      smtp = await new SmtpSink().start();
      attacker = await attackerServer();
      app = await TestApp.start(
        sessionEnv(smtp, { LOGIN_MAX_FAILURES: '1000', ...signingEnv(alg, { current: keys }) }),
      );
      const make = async () => {
        const account = await loggedInAccount(app, smtp, { fullName: 'Victor Victim' });
        return { ...account, reset: await requestResetToken(app, smtp, account.email) };
      };
      victim = await make();
      other = await make();
      newPassword = freshPassword();
    });
    after(async () => {
      assertCleanLogs(app);
      await app.close();
      await smtp.stop();
      await new Promise((resolve) => attacker.server.close(resolve));
    });

    it('refuses every forgery, re-signing and re-encoding at every slot (the corpus)', async (t) => {
      let requests = 0;
      const variants = new Set<string>();
      for (const slot of slots()) {
        const forgeries: Forgery[] = forgeriesOf(genuine(victim, slot.kind), {
          secret: TEST_JWT_SECRET,
          otherToken: genuine(other, slot.kind),
          attackerUrl: attacker.url,
          ...(keys && alg !== 'HS256'
            ? { signRight: asymmetricSigner(alg, keys.privateKey), publicKeyPem: keys.publicKey }
            : {}),
        });
        for (const forgery of forgeries) {
          assert.notEqual(
            forgery.token,
            genuine(victim, slot.kind),
            `${forgery.name} changed nothing`,
          );
          await assertRefused(slot, forgery.name, forgery.token);
          variants.add(forgery.name.replace(/token_type \w+/, 'token_type <other>'));
          requests += 1;
        }
      }
      assert.deepEqual(attacker.fetched, [], 'a jku/x5u URL was fetched');
      t.diagnostic(
        `JWT corpus: ${variants.size} attacks × ${slots().length} slots = ${requests} requests`,
      );
    });

    it('refuses a genuine token of another type at every slot', async () => {
      for (const slot of slots()) {
        for (const kind of ['access', 'refresh', 'reset'] as const) {
          if (kind === slot.kind) continue;
          await assertRefused(slot, `a genuine ${kind} token`, genuine(victim, kind));
        }
      }
    });

    it('accepts a token only where SPEC puts it: not in the query string, a cookie or another header', async () => {
      const { access, refresh } = victim.tokens;
      const elsewhere = (
        token: string,
      ): { what: string; query: string; headers: Record<string, string> }[] => [
        { what: '?access_token=', query: `?access_token=${token}`, headers: {} },
        { what: '?token=', query: `?token=${token}`, headers: {} },
        { what: '?refresh=', query: `?refresh=${token}&refresh_token=${token}`, headers: {} },
        { what: '?jwt=', query: `?jwt=${token}`, headers: {} },
        {
          what: 'a cookie',
          query: '',
          headers: { cookie: `access_token=${token}; token=${token}` },
        },
        { what: 'X-Access-Token', query: '', headers: { 'x-access-token': token } },
        { what: 'Authorization: JWT', query: '', headers: { authorization: `JWT ${token}` } },
        { what: 'Authorization: Token', query: '', headers: { authorization: `Token ${token}` } },
        { what: 'Authorization without a scheme', query: '', headers: { authorization: token } },
        {
          what: 'Authorization: Basic',
          query: '',
          headers: { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` },
        },
      ];
      const routes: [string, string, unknown][] = [
        ['GET', Paths.me, undefined],
        ['PATCH', Paths.me, { full_name: 'Forged' }],
        ['DELETE', Paths.me, undefined],
        ['POST', Paths.logout, { refresh_token: refresh }],
        ['POST', Paths.logoutAll, {}],
        [
          'POST',
          Paths.changePassword,
          { current_password: victim.password, new_password: newPassword },
        ],
      ];
      for (const [method, path, body] of routes) {
        for (const { what, query, headers } of elsewhere(access)) {
          const response = await app.request<SessionBody>(method, path + query, { body, headers });
          assert.equal(response.status, 401, `${method} ${path} took the token from ${what}`);
          assertErrorShape(response as unknown as TestResponse);
        }
      }
      for (const { what, query, headers } of elsewhere(refresh)) {
        const rotated = await app.post<SessionBody>(Paths.refresh + query, {}, { headers });
        assert.equal(rotated.status, 400, `refresh took the token from ${what}: ${rotated.text}`);
        assert.equal(rotated.body.message, Messages.refreshTokenRequired);
      }
      for (const { what, query, headers } of elsewhere(victim.reset)) {
        const reset = await app.post<SessionBody>(
          Paths.resetPassword + query.replace(/access_token=|jwt=/, 'token='),
          { new_password: newPassword },
          { headers },
        );
        assert.equal(reset.status, 400, `reset took the token from ${what}: ${reset.text}`);
        assert.equal(reset.body.message, Messages.resetTokenRequired);
      }
    });

    it('refuses every token of a deactivated user, and of a user whose row was deleted, at every slot', async () => {
      const deactivated = await loggedInAccount(app, smtp);
      const tokens = {
        ...deactivated,
        reset: await requestResetToken(app, smtp, deactivated.email),
      };
      const deleted = await loggedInAccount(app, smtp);
      const deletedTokens = {
        ...deleted,
        reset: await requestResetToken(app, smtp, deleted.email),
      };

      const deactivate = await app.request('DELETE', Paths.me, {
        token: deactivated.tokens.access,
      });
      assert.equal(deactivate.status, 204, deactivate.text);
      // Removed out of band (an operator, an erasure job): no request saw its tokens before.
      await app.dataSource().query('DELETE FROM users WHERE id = ?', [deleted.user.id]);

      for (const [what, account] of [
        ['a deactivated user', tokens],
        ['a deleted user', deletedTokens],
      ] as const) {
        for (const slot of slots()) {
          // logout's refresh_token slot is called with the victim's Bearer: the token is foreign.
          await assertRefused(slot, `${what}'s ${slot.kind} token`, genuine(account, slot.kind));
        }
        const relogin = await app.post<SessionBody>(Paths.login, {
          email: account.email,
          password: account.password,
        });
        assert.equal(relogin.status, 401, `${what} can log in again`);
      }
    });

    it('the controls: the genuine tokens the corpus was made from still work, once, and nothing changed', async () => {
      const me = await app.get<SessionBody>(Paths.me, { token: victim.tokens.access });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.full_name, 'Victor Victim', 'a forged PATCH renamed the account');
      assert.equal(me.body.is_active, true, 'a forged DELETE deactivated the account');
      await login(app, victim.email, victim.password);

      const rotated = await app.post<SessionBody>(Paths.refresh, {
        refresh: victim.tokens.refresh,
      });
      assert.equal(rotated.status, 200, rotated.text);
      rememberSecret(rotated.body.access, rotated.body.refresh);

      const reset = await app.post<SessionBody>(Paths.resetPassword, {
        token: victim.reset,
        new_password: newPassword,
      });
      assert.equal(reset.status, 200, reset.text);
      await login(app, victim.email, newPassword);
      assert.equal(
        (await app.get<SessionBody>(Paths.me, { token: other.tokens.access })).status,
        200,
      );
    });
  });
}
