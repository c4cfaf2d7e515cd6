import type { Scenario } from './load.js';
import { BENCH_FULL_NAME, BENCH_PASSWORD, inParallel, type Session } from './service-client.js';
import type { BenchSmtpSink } from './smtp-sink.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The framework's ceiling: the bare app's one GET route. */
export function bareScenario(): Scenario {
  return { name: 'bare', requestsFor: () => [{ method: 'GET', path: '/bare' }] };
}

/**
 * The reference of refresh on the bare app: a refresh body with a real token, validated and
 * answered with a pair of it, with no work in between (see bare-app.ts).
 */
export function barePostScenario(token: string): Scenario {
  return {
    name: 'bare POST',
    requestsFor: () => [
      {
        method: 'POST',
        path: '/bare-post',
        headers: JSON_HEADERS,
        body: JSON.stringify({ refresh: token }),
      },
    ],
  };
}

/**
 * `GET me/`'s shape on the bare app: the same request (its Bearer header included) and the
 * response headers of a `GET me/`, without the service's work; on `/bare-guarded`, also routed
 * through a guard and parameter decorators (see bare-app.ts).
 */
export function bareMeShapeScenario(access: string, path = '/bare-headers'): Scenario {
  return {
    name: `bare GET, me/ shape (${path})`,
    requestsFor: () => [{ method: 'GET', path, headers: { authorization: `Bearer ${access}` } }],
  };
}

/** (a) `GET me/` with a valid Bearer; the connections share the sessions round-robin. */
export function meScenario(sessions: Session[]): Scenario {
  return {
    name: 'me',
    requestsFor: (connection) => [
      {
        method: 'GET',
        path: '/api/users/me/',
        headers: { authorization: `Bearer ${sessions[connection % sessions.length].access}` },
      },
    ],
  };
}

/** (b) `POST login/` with the right password; the connections share the accounts round-robin. */
export function loginScenario(emails: string[]): Scenario {
  return {
    name: 'login',
    requestsFor: (connection) => [
      {
        method: 'POST',
        path: '/api/users/login/',
        headers: JSON_HEADERS,
        body: JSON.stringify({
          email: emails[connection % emails.length],
          password: BENCH_PASSWORD,
        }),
      },
    ],
  };
}

/**
 * (c) `POST token/refresh/`: each connection follows one rotation chain, every request presenting
 * the refresh token of the previous response. `startChain` logs in and returns a new refresh
 * token; every run starts with fresh chains (see `Scenario.beforeRun`).
 */
export function refreshScenario(startChain: (index: number) => Promise<string>): Scenario {
  let chains: string[] = [];
  return {
    name: 'refresh',
    beforeRun: async (connections) => {
      chains = await inParallel(
        Array.from({ length: connections }, (_, index) => index),
        8,
        startChain,
      );
    },
    requestsFor: (connection) => {
      const slot = connection % chains.length;
      return [
        {
          method: 'POST',
          path: '/api/users/token/refresh/',
          headers: JSON_HEADERS,
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ refresh: chains[slot] }),
          }),
          onResponse: (status, body) => {
            if (status === 200) chains[slot] = (JSON.parse(body) as { refresh: string }).refresh;
          },
        },
      ];
    },
  };
}

/**
 * (d) register + confirm pairs: each connection registers a new address, reads the code the
 * service mailed to the in-process SMTP sink, and confirms it. A pair counts when confirm
 * answers 201.
 */
export function pairsScenario(sink: BenchSmtpSink, runTag: string): Scenario {
  const units = { count: 0 };
  let sequence = 0;
  return {
    name: 'pairs',
    units,
    requestsFor: () => {
      let email = '';
      return [
        {
          method: 'POST',
          path: '/api/users/register/',
          headers: JSON_HEADERS,
          setupRequest: (request) => {
            email = `pair-${runTag}-${++sequence}@example.com`;
            return {
              ...request,
              body: JSON.stringify({ email, password: BENCH_PASSWORD, full_name: BENCH_FULL_NAME }),
            };
          },
        },
        {
          method: 'POST',
          path: '/api/users/confirm-otp/',
          headers: JSON_HEADERS,
          // A missing code (the register failed) still sends a request, which then fails and
          // counts as an error.
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ email, otp: sink.takeCode(email) ?? '000000' }),
          }),
          onResponse: (status) => {
            if (status === 201) units.count += 1;
          },
        },
      ];
    },
  };
}
