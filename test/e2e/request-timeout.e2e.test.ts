import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestApp } from '../support/test-app.js';

/** The bound on receiving a request (`REQUEST_RECEIVE_TIMEOUT_MS` in create-app.ts). */
const REQUEST_RECEIVE_TIMEOUT_MS = 10_000;
/** Node checks for requests past their bound every second: the cut may come that much later. */
const CHECK_SLACK_MS = 2_500;
/** How long a test waits for the cut before it concludes that the connection is held. */
const GIVE_UP_MS = REQUEST_RECEIVE_TIMEOUT_MS + 8_000;

interface SlowClientEnd {
  /** From the first byte sent to the connection's close. */
  heldMs: number;
  /** Everything the server answered. */
  answer: string;
  /** Bytes sent, the first write included. */
  bytesSent: number;
}

/**
 * A Slowloris client: connects, writes `first`, then one byte of `trickle` every `intervalMs`
 * (so that no idle timeout ever fires) until the server closes the connection or `GIVE_UP_MS`
 * passes. Never sends the whole request.
 */
function slowClient(
  port: number,
  first: string,
  trickle: string,
  intervalMs: number,
): Promise<SlowClientEnd> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let bytesSent = 0;
    let started = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(
        new Error(`the connection was still open after ${GIVE_UP_MS} ms (${bytesSent} bytes)`),
      );
    }, GIVE_UP_MS);
    socket.on('connect', () => {
      started = Date.now();
      socket.write(first);
      bytesSent = first.length;
      timer = setInterval(() => {
        if (bytesSent - first.length >= trickle.length) return;
        socket.write(trickle[bytesSent - first.length]);
        bytesSent += 1;
      }, intervalMs);
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    // A write racing the close may fail; the close is what the test waits for.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ heldMs: Date.now() - started, answer, bytesSent });
    });
  });
}

describe(
  `a client that sends its request slowly is cut off after ${REQUEST_RECEIVE_TIMEOUT_MS / 1000} s (Slowloris)`,
  {
    concurrency: true,
  },
  () => {
    let app: TestApp;
    let port: number;

    before(async () => {
      app = await TestApp.start();
      port = Number(new URL(app.baseUrl).port);
    });
    after(async () => {
      await app.close();
    });

    /** Sends `first`, then `trickle` a byte a second: the server must cut it off with a 408. */
    async function assertCutOff(first: string, trickle: string): Promise<void> {
      const end = await slowClient(port, first, trickle, 1_000);

      assert.ok(
        end.heldMs <= REQUEST_RECEIVE_TIMEOUT_MS + CHECK_SLACK_MS,
        `held for ${end.heldMs} ms`,
      );
      assert.match(end.answer, /^HTTP\/1\.1 408 /);
    }

    it('a body sent a byte a second: 408 and the connection closed within the bound', async () => {
      const body = JSON.stringify({ email: 'slow@example.com', password: 'x'.repeat(40) });
      await assertCutOff(
        'POST /api/users/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        body,
      );
    });

    it('headers sent a byte a second: 408 and the connection closed within the bound', async () => {
      await assertCutOff(
        'GET /health HTTP/1.1\r\n',
        `Host: 127.0.0.1\r\nX-Padding: ${'a'.repeat(60)}\r\n\r\n`,
      );
    });

    it('a request sent at a normal pace is answered (the control)', async () => {
      const response = await app.post('/api/users/login/', {
        email: 'nobody@example.com',
        password: 'violet lantern harbor',
      });
      assert.equal(response.status, 401, response.text);
    });
  },
);
