// An authenticator app for the MFA tests: RFC 6238 codes (HMAC-SHA1, six
// digits, 30-second steps) from the base32 SecretCode that
// AssociateSoftwareToken hands out, computed here with node:crypto.

import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

export const STEP_SECONDS = 30;
// A code of the previous step is still accepted shortly after its step ends
// (RFC 6238 section 5.2); this close to the end of a step, the authenticator
// does not count on it.
const STEP_MARGIN_SECONDS = 4;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** The bytes of a base32 string (RFC 4648), padding optional. */
export function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/=+$/, "").toUpperCase()) {
    const index = BASE32.indexOf(char);
    if (index < 0) {
      throw new Error(`not base32: ${char}`);
    }
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 4226: the HOTP value of `key` (bytes) at `counter`, `digits` long. */
export function hotp(key, counter, digits = 6) {
  // 1. HMAC-SHA-1 over the counter as eight big-endian bytes.
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", key).update(message).digest();
  // 2. Dynamic truncation: four bytes at the offset the last nibble names.
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  // 3. The low decimal digits.
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** RFC 6238: the code of `key` (bytes) at `epochSeconds`. */
export function totp(key, epochSeconds, digits = 6) {
  return hotp(key, Math.floor(epochSeconds / STEP_SECONDS), digits);
}

/**
 * An authenticator app holding one software token (the base32 SecretCode).
 *
 * Cognito accepts each step's code once, so the app never shows a step it
 * showed before. It starts with the code of the step that just ended (still
 * accepted, as from a clock a little behind), then the current one, and waits
 * for the next step only when both are used up.
 */
export class Authenticator {
  constructor(secretCode) {
    this.key = base32Decode(secretCode);
    this.lastStep = undefined;
  }

  /** The next code to type. */
  async code() {
    const now = Date.now() / 1000;
    const current = Math.floor(now / STEP_SECONDS);
    const late = now % STEP_SECONDS >= STEP_SECONDS - STEP_MARGIN_SECONDS;
    const earliest = late ? current : current - 1;
    const step = this.lastStep === undefined ? earliest : Math.max(earliest, this.lastStep + 1);
    if (step > current) {
      await sleep((step * STEP_SECONDS - now) * 1000 + 200);
    }
    this.lastStep = step;
    return hotp(this.key, step);
  }

  /** Six digits that no step around now shows. */
  wrongCode() {
    const current = Math.floor(Date.now() / 1000 / STEP_SECONDS);
    const near = new Set([-2, -1, 0, 1, 2].map((skew) => hotp(this.key, current + skew)));
    for (let n = 1; ; n += 7919) {
      const code = String(n % 10 ** 6).padStart(6, "0");
      if (!near.has(code)) {
        return code;
      }
    }
  }
}
