// An authenticator app for the MFA tests: RFC 6238 codes (HMAC-SHA1, six
// digits, 30-second steps) from the base32 SecretCode that
// AssociateSoftwareToken hands out, computed here with node:crypto, by the
// emulator's clock (the test API's /_cognito/clock).

import { createHmac } from "node:crypto";

import { endpoint as sharedEndpoint } from "./cognito.js";

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

/** The emulator's time at `endpoint`, in epoch seconds. */
async function serverNow(endpoint) {
  const answer = await fetch(`${endpoint}/_cognito/clock`);
  return (await answer.json()).epoch_seconds;
}

/**
 * An authenticator app holding one software token (the base32 SecretCode), by
 * the clock of the emulator at `endpoint`.
 *
 * Cognito accepts each step's code once, and a code of one step either side
 * of now (RFC 6238 section 5.2), so the app never shows a step it showed
 * before: it starts with the code of the step that just ended, then the
 * current one, then the next. Only when those are used up does it move the
 * emulator's clock on, rather than waiting (no test here needs that many).
 */
export class Authenticator {
  constructor(secretCode, endpoint = sharedEndpoint) {
    this.key = base32Decode(secretCode);
    this.endpoint = endpoint;
    this.lastStep = undefined;
  }

  /** The next code to type. */
  async code() {
    const now = await serverNow(this.endpoint);
    const current = Math.floor(now / STEP_SECONDS);
    const late = now % STEP_SECONDS >= STEP_SECONDS - STEP_MARGIN_SECONDS;
    const earliest = late ? current : current - 1;
    const step = this.lastStep === undefined ? earliest : Math.max(earliest, this.lastStep + 1);
    if (step > current + 1) {
      console.warn("the authenticator moves the emulator's clock to its next step");
      await fetch(`${this.endpoint}/_cognito/clock`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ advance_seconds: (step - 1) * STEP_SECONDS - now + 0.5 }),
      });
    }
    this.lastStep = step;
    return hotp(this.key, step);
  }

  /** Six digits that no step around the emulator's now shows. */
  async wrongCode() {
    const current = Math.floor((await serverNow(this.endpoint)) / STEP_SECONDS);
    const near = new Set([-2, -1, 0, 1, 2].map((skew) => hotp(this.key, current + skew)));
    for (let n = 1; ; n += 7919) {
      const code = String(n % 10 ** 6).padStart(6, "0");
      if (!near.has(code)) {
        return code;
      }
    }
  }
}
