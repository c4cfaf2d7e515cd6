import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nonLoopbackAddress, type NonLoopbackAddress } from '../support/non-loopback-address.js';
import { Paths, registrationBody, type OutboxMail } from '../support/registration.js';
import { ServiceProcess } from '../support/service-process.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { ApiClient } from '../support/test-app.js';

const OUTBOX_PATHS = ['/dev/outbox', '/dev/outbox.json', '/dev/outbox.js'];

/**
 * The service as an operator starts it (`node main.js`), reached over loopback and over an
 * address of this machine that is not loopback: the socket's peer is then that address, as it
 * would be for another machine on the network.
 */
describe('where the service listens, and who may read the development outbox', () => {
  let network: NonLoopbackAddress;
  let dir: string;
  const services: ServiceProcess[] = [];

  /** The service in a directory of its own, on SQLite, with `env`. */
  async function start(env: Record<string, string>): Promise<ServiceProcess> {
    const cwd = mkdtempSync(join(dir, 'service-'));
    const service = await ServiceProcess.start(
      { DATABASE_URL: `sqlite:${join(cwd, 'otp-auth.sqlite')}`, ...env },
      cwd,
    );
    services.push(service);
    return service;
  }

  /** A client of `service` that connects through the non-loopback address. */
  function fromNetwork(service: ServiceProcess, headers: Record<string, string> = {}): ApiClient {
    return new ApiClient(`http://${network.address}:${new URL(service.baseUrl).port}`, headers);
  }

  before(() => {
    network = nonLoopbackAddress();
    dir = mkdtempSync(join(tmpdir(), 'otp-auth-host-'));
  });
  after(async () => {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(dir, { recursive: true, force: true });
    network.release();
  });

  describe('development, HOST unset', () => {
    let service: ServiceProcess;
    before(async () => {
      service = await start({ NODE_ENV: 'development' });
    });

    it('listens on 127.0.0.1 only: a connection through another address is refused', async () => {
      assert.equal((await service.get('/health')).status, 200);

      await assert.rejects(fromNetwork(service).get('/health'), (error: Error) => {
        assert.equal((error.cause as NodeJS.ErrnoException | undefined)?.code, 'ECONNREFUSED');
        return true;
      });
    });

    it('logs the outbox URL in one line, and the URL works', async () => {
      const line = /Development outbox: (http:\/\/127\.0\.0\.1:\d+\/dev\/outbox)\s*$/m.exec(
        service.output,
      );
      assert.ok(line, service.output);
      assert.equal(line[1], `${service.baseUrl}/dev/outbox`);
      assert.equal((await fetch(line[1])).status, 200);
    });
  });

  describe('development, HOST=0.0.0.0, TRUST_PROXY=1', () => {
    let service: ServiceProcess;
    before(async () => {
      service = await start({ NODE_ENV: 'development', HOST: '0.0.0.0', TRUST_PROXY: '1' });
      // A mail in the outbox, so that an answer would have something to show.
      assert.equal((await service.post(Paths.register, registrationBody())).status, 200);
    });

    it('serves the API to the network', async () => {
      assert.equal((await fromNetwork(service).get('/health')).status, 200);
    });

    it('serves the outbox to loopback clients', async () => {
      const outbox = await service.get<OutboxMail[]>('/dev/outbox.json');
      assert.equal(outbox.status, 200, outbox.text);
      assert.ok(outbox.body.length > 0);
      for (const path of OUTBOX_PATHS) assert.equal((await service.get(path)).status, 200, path);
    });

    it('answers a network client on the outbox paths as on a route that does not exist', async () => {
      const client = fromNetwork(service);
      const missing = await client.get('/dev/no-such-page');
      assert.equal(missing.status, 404);
      for (const path of OUTBOX_PATHS) {
        const response = await client.get(path);
        assert.equal(response.status, 404, `${path}: ${response.text}`);
        assert.equal(response.text, missing.text.replace('/dev/no-such-page', path));
      }
    });

    it('does not believe X-Forwarded-For: 127.0.0.1 from the network, even from a trusted hop', async () => {
      for (const forwardedFor of ['127.0.0.1', '::1', '10.1.2.3, 127.0.0.1']) {
        const client = fromNetwork(service, { 'x-forwarded-for': forwardedFor });
        for (const path of OUTBOX_PATHS) {
          assert.equal((await client.get(path)).status, 404, `${path} with ${forwardedFor}`);
        }
      }
    });
  });

  describe('production, HOST unset', () => {
    let smtp: SmtpSink;
    let service: ServiceProcess;
    before(async () => {
      smtp = await new SmtpSink().start();
      service = await start({
        NODE_ENV: 'production',
        MAIL_URL: smtp.url,
        APP_URL: 'https://auth.example.com',
      });
    });
    after(async () => {
      await smtp.stop();
    });

    it('listens on every interface, as a container needs, and has no outbox line', async () => {
      assert.equal((await fromNetwork(service).get('/health')).status, 200);
      assert.doesNotMatch(service.output, /Development outbox/);
    });
  });
});
