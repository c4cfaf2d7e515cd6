/**
 * Memory of pending registrations in the in-process store. Registering 100,000 addresses through
 * the HTTP API would take 100,000 argon2id hashes (about half an hour on two cores), so this child
 * process boots the real service (the production configuration the bench gives it, the same
 * modules and providers) and stores the registrations through its own PendingRegistrationStore
 * on its MemoryAtomicStore with the calls register makes (send slot, the address's send count,
 * then save), with the same data shape: a PHC string of the length argon2id produces, the real
 * HMAC of a real code.
 * Prints one JSON line with the process's RSS before and after.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createApp } from '../src/bootstrap/create-app.js';
import { loadAppConfig } from '../src/config/load-app-config.js';
import { AddressLimits } from '../src/otp/address-limits.service.js';
import { OtpService } from '../src/otp/otp.service.js';
import { PendingRegistrationStore } from '../src/otp/pending-registration.store.js';
import { AtomicStore } from '../src/state/atomic-store.js';
import { MemoryAtomicStore } from '../src/state/memory-atomic-store.js';

function statusBytes(field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
}

function settle(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return statusBytes('VmRSS');
}

/** An argon2id PHC string as the service stores it (16-byte salt, 32-byte hash, OWASP cost). */
function phcShapedHash(): string {
  const b64 = (bytes: number) => randomBytes(bytes).toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=19456,t=2,p=1$${b64(16)}$${b64(32)}`;
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_PENDING ?? 100_000);
  const config = loadAppConfig(process.env);
  const app = await createApp(config, { logger: ['error', 'warn'] });
  await app.init();
  const store = app.get(PendingRegistrationStore, { strict: false });
  const limits = app.get(AddressLimits, { strict: false });
  const otp = app.get(OtpService, { strict: false });
  if (!(app.get(AtomicStore, { strict: false }) instanceof MemoryAtomicStore)) {
    throw new Error('expected the in-process store');
  }
  const rssBefore = settle();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const email = `pending-${i}@example.com`;
    const slot = await store.acquireSendSlot(email);
    if (!slot.granted || !(await limits.acquireSend(email)).granted) {
      throw new Error(`no send slot for ${email}`);
    }
    await store.save({
      id: randomUUID(),
      email,
      fullName: `Pending Person ${i}`,
      passwordHash: phcShapedHash(),
      otpHash: otp.hash(email, otp.generate()),
      createdAt: Date.now(),
      expiresAt: Date.now() + config.otpAuth.otp.ttl * 1000,
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const rssAfter = settle();
  const [sample] = await store.find('pending-0@example.com');
  console.log(
    JSON.stringify({
      count,
      method: 'in-process: the real app, PendingRegistrationStore + MemoryAtomicStore',
      secondsToStore: seconds,
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
      peakRssBytes: statusBytes('VmHWM'),
      bytesPerRegistration: (rssAfter - rssBefore) / count,
      sampleKeys: sample ? Object.keys(sample) : [],
    }),
  );
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
