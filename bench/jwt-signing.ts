/**
 * Micro-benchmark of token signing: sign + verify of an access token per second on one core, for
 * jsonwebtoken (what @nestjs/jwt and passport-jwt used; HS256 and ES256 only, it has no EdDSA)
 * and for TokenSigner (node:crypto KeyObjects), per algorithm. Not a test: a figure for the
 * README. Run after `npm run build:test`:
 *   node build/bench/jwt-signing.js
 */
import 'reflect-metadata';
import jwt from 'jsonwebtoken';
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
} from 'node:crypto';
import { TokenKeyRing } from '../src/auth/tokens/token-key-ring.js';
import { TokenSigner } from '../src/auth/tokens/token-signer.js';
import type { JwtAlgorithm } from '../src/auth/tokens/token-keys.js';
import type { OtpAuthOptions } from '../src/config/otp-auth-options.js';

const SECONDS_PER_RUN = 2;
const RUNS = 3;
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuv';

function claims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    fam: '0193b6f0-7d3a-7cc1-9a43-6c1f0e0f7c2a',
    gen: 0,
    iat: now,
    sub: '0193b6f0-7d3a-7cc1-9a43-6c1f0e0f7c2b',
    token_type: 'access',
    exp: now + 900,
    jti: '0193b6f0-7d3a-7cc1-9a43-6c1f0e0f7c2c',
  };
}

/** Sign + verify pairs per second during one run of `SECONDS_PER_RUN`. */
function rateOf(signAndVerify: () => void): number {
  let count = 0;
  const end = performance.now() + SECONDS_PER_RUN * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i += 1) signAndVerify();
    count += 100;
  }
  return count / SECONDS_PER_RUN;
}

/**
 * The median of `RUNS` runs of each, the runs taken in turns, so that a neighbour's load on a
 * shared machine weighs on every implementation alike.
 */
function measureInTurns(candidates: (() => void)[]): number[] {
  const rates = candidates.map((): number[] => []);
  for (let run = 0; run < RUNS; run += 1) {
    candidates.forEach((candidate, index) => rates[index].push(rateOf(candidate)));
  }
  return rates.map((runs) => runs.sort((a, b) => a - b)[Math.floor(RUNS / 2)]);
}

function privatePem(alg: 'EdDSA' | 'ES256'): string {
  const { privateKey } =
    alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function tokenSigner(alg: JwtAlgorithm, privateKey?: string): TokenSigner {
  const options = {
    auth: {
      jwtSecret: SECRET,
      jwtAlgorithm: alg,
      jwtPrivateKey: privateKey,
      issuer: 'otp-auth',
      audience: 'otp-auth',
    },
  } as OtpAuthOptions;
  return new TokenSigner(new TokenKeyRing(options), options);
}

function jsonwebtoken(alg: 'HS256' | 'ES256', pem?: string): () => void {
  const signKey = pem ? createPrivateKey(pem) : createSecretKey(Buffer.from(SECRET));
  const verifyKey = pem ? createPublicKey(signKey) : signKey;
  const options = { issuer: 'otp-auth', audience: 'otp-auth' };
  return () => {
    const token = jwt.sign(claims(), signKey, { ...options, algorithm: alg });
    jwt.verify(token, verifyKey, { ...options, algorithms: [alg] });
  };
}

function ours(alg: JwtAlgorithm, pem?: string): () => void {
  const signer = tokenSigner(alg, pem);
  return () => {
    if (!signer.verifiedClaims(signer.sign(claims()))) throw new Error('a token did not verify');
  };
}

const es256 = privatePem('ES256');
const eddsa = privatePem('EdDSA');
const candidates: [string, string, (() => void) | undefined][] = [
  ['HS256', 'jsonwebtoken (KeyObject)', jsonwebtoken('HS256')],
  ['HS256', 'TokenSigner', ours('HS256')],
  ['EdDSA', 'jsonwebtoken', undefined],
  ['EdDSA', 'TokenSigner', ours('EdDSA', eddsa)],
  ['ES256', 'jsonwebtoken (KeyObject)', jsonwebtoken('ES256', es256)],
  ['ES256', 'TokenSigner', ours('ES256', es256)],
];
const runnable = candidates.flatMap(([, , run]) => (run ? [run] : []));
const measured = measureInTurns(runnable);
const rows = candidates.map(([alg, name, run]): [string, string, number | undefined] => [
  alg,
  name,
  run ? measured[runnable.indexOf(run)] : undefined,
]);
console.log(`sign + verify of an access token per second, one core, node ${process.version}`);
console.log('| algorithm | implementation | sign+verify/s |');
console.log('|---|---|---|');
for (const [alg, name, rate] of rows) {
  console.log(
    `| ${alg} | ${name} | ${rate === undefined ? 'not supported' : Math.round(rate).toLocaleString('en')} |`,
  );
}
