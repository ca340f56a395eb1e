// A real browser for the passkey tests: Debian's Chromium driven by
// playwright-core, showing a page served from this process on
// http://localhost (a secure context, so WebAuthn works without TLS), with a
// CDP virtual authenticator standing in for the platform's passkey provider.
//
// No browser is downloaded: the tests use /usr/bin/chromium. When it is
// missing and the tests run as root (as CI does on a fresh Debian machine),
// the set-up installs it with apt-get; otherwise it fails and says how to
// install it. A missing browser never skips a test.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";

import { chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

function aptGet(...args) {
  const run = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=600", ...args], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    encoding: "utf8",
  });
  return run.status === 0 ? null : `${run.error?.message ?? ""}${run.stderr ?? ""}`.trim();
}

/**
 * The path of Debian's Chromium, installed first if it is missing and this
 * process may install packages. Throws when it can do neither.
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) {
    return CHROMIUM;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The passkey tests need Debian's Chromium at ${CHROMIUM}, and this process is not root ` +
        "so it cannot install it: run `apt-get install -y chromium` as root first.",
    );
  }
  // The package lists of a fresh machine may be missing or stale: update once on failure.
  let failure = aptGet("install", "-y", "chromium");
  if (failure !== null) {
    failure = aptGet("update") ?? aptGet("install", "-y", "chromium");
  }
  if (failure !== null) {
    throw new Error(`apt-get install -y chromium failed, so the passkey tests cannot run:\n${failure}`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing.`);
  }
  return CHROMIUM;
}

/** Serves `html` at every path of http://localhost:<free port>; answers the server and origin. */
async function servePage(html) {
  const server = createServer((request, response) => {
    response.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    });
    response.end(request.method === "HEAD" ? undefined : html);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return { server, origin: `http://localhost:${server.address().port}` };
}

/** A platform authenticator (CTAP2) with resident keys, that verifies the user. */
export const PLATFORM = {
  protocol: "ctap2",
  transport: "internal",
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

/** A USB security key (CTAP2) without resident keys, that cannot verify the user. */
export const SECURITY_KEY = {
  protocol: "ctap2",
  transport: "usb",
  hasResidentKey: false,
  hasUserVerification: false,
  automaticPresenceSimulation: true,
};

/** A USB security key that speaks only U2F (CTAP1): `fido-u2f` attestation. */
export const U2F_KEY = { protocol: "u2f", transport: "usb", automaticPresenceSimulation: true };

/**
 * Chromium showing `html` at http://localhost:<port>/, with a CTAP2 platform
 * authenticator that keeps resident keys and verifies the user (as a
 * fingerprint reader would). Answers `{page, origin, cdp, authenticatorId,
 * newAuthenticator, close}`: `newAuthenticator(options = PLATFORM)` replaces
 * the authenticator with an empty one (Chromium's virtual authenticators keep
 * at most three resident keys); `close()` stops the browser and the page's
 * server.
 */
export async function openBrowser(html) {
  const executablePath = ensureChromium();
  const { server, origin } = await servePage(html);
  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const opened = {
      page,
      origin,
      cdp,
      authenticatorId: undefined,
      async newAuthenticator(options = PLATFORM) {
        if (this.authenticatorId !== undefined) {
          await cdp.send("WebAuthn.removeVirtualAuthenticator", {
            authenticatorId: this.authenticatorId,
          });
        }
        const added = await cdp.send("WebAuthn.addVirtualAuthenticator", { options });
        this.authenticatorId = added.authenticatorId;
      },
      async close() {
        await browser.close();
        await new Promise((resolve) => server.close(resolve));
      },
    };
    await opened.newAuthenticator();
    return opened;
  } catch (err) {
    await browser?.close();
    server.close();
    throw err;
  }
}

/** The credentials the virtual authenticator holds, with their signature counters. */
export async function authenticatorCredentials({ cdp, authenticatorId }) {
  return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

/** Makes the virtual authenticator verify the user from now on, or fail to. */
export async function setUserVerified({ cdp, authenticatorId }, isUserVerified) {
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified });
}
