/**
 * ECDSA P-256 signatures between OpenSSL's DER (`SEQUENCE { INTEGER r, INTEGER s }`) and JWS's
 * fixed 64 bytes `r ‖ s` (RFC 7518 §3.4). node converts them itself with
 * `dsaEncoding: 'ieee-p1363'`, but that option halves the rate of sign + verify here (node 24),
 * so the conversion is done in these few lines instead, as jsonwebtoken's ecdsa-sig-formatter does.
 */
const SIZE = 32;

/** The 64-byte JWS form of a DER signature. */
export function derToJose(der: Buffer): Buffer {
  const out = Buffer.alloc(SIZE * 2);
  // 0x30 len 0x02 rLen r 0x02 sLen s; a P-256 signature is at most 72 bytes (1-byte lengths).
  const rLength = der[3];
  const r = der.subarray(4, 4 + rLength);
  const sLength = der[5 + rLength];
  const s = der.subarray(6 + rLength, 6 + rLength + sLength);
  copyInteger(r, out, 0);
  copyInteger(s, out, SIZE);
  return out;
}

/** The DER form of a 64-byte JWS signature. */
export function joseToDer(jose: Buffer): Buffer {
  const r = derInteger(jose.subarray(0, SIZE));
  const s = derInteger(jose.subarray(SIZE));
  return Buffer.concat([Buffer.from([0x30, r.length + s.length]), r, s]);
}

/** A DER integer right-aligned into its 32 bytes of `out` (its sign byte, if any, dropped). */
function copyInteger(integer: Buffer, out: Buffer, offset: number): void {
  const value = integer.length > SIZE ? integer.subarray(integer.length - SIZE) : integer;
  value.copy(out, offset + SIZE - value.length);
}

/** An unsigned big-endian number as a DER INTEGER: minimal, with a zero byte if the top bit is set. */
function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const value = bytes.subarray(start);
  const pad = value[0] & 0x80 ? 1 : 0;
  const out = Buffer.alloc(2 + pad + value.length);
  out[0] = 0x02;
  out[1] = pad + value.length;
  value.copy(out, 2 + pad);
  return out;
}
