// What the managed login tests share: Debian's Chromium for a person's browser,
// an app of the test's own that the pages send the browser back to, pools with a
// domain and an app client for the authorization code flow, the pages' forms
// filled in as a person would, the codes the test API holds, the token
// endpoint's code exchange, and screenshots of the pages for the documentation.
//
// Every helper takes the server's address, so that tests may run servers of
// their own (HTTPS, federation) beside the shared one at COGNITO_ENDPOINT.

import assert from "node:assert/strict";
import { X509Certificate, createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import { fileURLToPath } from "node:url";

import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { chromium } from "playwright-core";

import { ensureChromium } from "./browser.js";
import { uniqueName } from "./cognito.js";

/** The size of the pages' screenshots: a phone held upright. */
const VIEWPORT = { width: 480, height: 720 };

/** Where `COGNITO_SCREENSHOTS=1` saves the pages' screenshots. */
const SCREENSHOT_DIR = fileURLToPath(
  new URL("../../../../docs/images/managed-login/", import.meta.url),
);

/** Debian's Chromium, headless; one per test file. */
export async function launchChromium(args = []) {
  return chromium.launch({ executablePath: ensureChromium(), args: ["--no-sandbox", ...args] });
}

/**
 * The flag that makes Chromium trust certificates signed by the CA `pem`: the SHA-256
 * of its public key (SPKI), base64.
 */
export function trustingFlag(pem) {
  const key = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  const hash = createHash("sha256").update(key).digest("base64");
  return `--ignore-certificate-errors-spki-list=${hash}`;
}

/**
 * A new browser context (its own cookies) with a page at the screenshots' size, that
 * records the address of every document the browser loads in `page.visited`.
 */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.visited = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) {
      page.visited.push(request.url());
    }
  });
  return page;
}

/** With COGNITO_SCREENSHOTS=1, saves `page` as docs/images/managed-login/<name>.png. */
export async function screenshot(page, name) {
  if (process.env.COGNITO_SCREENSHOTS !== "1") {
    return;
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, animations: "disabled" });
}

// --- The app ---------------------------------------------------------------------

/**
 * An app of the test's own on http://localhost:<free port> (Cognito takes plain HTTP
 * callback URLs on localhost only), listening on 127.0.0.1: the managed login sends
 * the browser back to `callback` (`/callback`, which records the query it came with in
 * `calls` and answers a page saying so) and, after signing out, to `signedOut`
 * (`/signed-out`).
 */
export async function startApp() {
  const calls = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url, "http://app");
    if (url.pathname === "/callback") {
      calls.push(Object.fromEntries(url.searchParams));
    }
    const title = url.pathname === "/signed-out" ? "Signed out" : "Back at the app";
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(`<!doctype html><title>${title}</title><h1>${title}</h1>`);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://localhost:${server.address().port}`;
  return {
    origin,
    callback: `${origin}/callback`,
    signedOut: `${origin}/signed-out`,
    calls,
    /** The query of the last call to the callback. */
    last() {
      assert.ok(calls.length > 0, "the browser never came back to the app");
      return calls.at(-1);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// --- Pools ------------------------------------------------------------------------

/**
 * A pool (`pool`: more of CreateUserPool's input; or the existing pool `poolId`) with a
 * domain and an app client (`client`: more of CreateUserPoolClient's input) allowed the
 * code flow with the scopes `openid email profile` and back to `app`'s callback and
 * sign-out addresses. Answers `{ poolId, domain, clientId, clientSecret }`.
 */
export async function makeLoginPool(admin, app, { poolId, pool = {}, client = {} } = {}) {
  if (poolId === undefined) {
    const created = await admin.send(
      new CreateUserPoolCommand({ PoolName: uniqueName(), ...pool }),
    );
    poolId = created.UserPool.Id;
  }
  const domain = uniqueName("login");
  await admin.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
  const made = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: "web",
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthScopes: ["openid", "email", "profile"],
      SupportedIdentityProviders: ["COGNITO"],
      CallbackURLs: [app.callback],
      LogoutURLs: [app.signedOut],
      ...client,
    }),
  );
  const { ClientId: clientId, ClientSecret: clientSecret } = made.UserPoolClient;
  return { poolId, domain, clientId, clientSecret };
}

/**
 * A `fetch` for HTTPS servers whose certificates `ca` (PEM) signed, as openid-client's
 * `customFetch` takes it: Node's own fetch cannot be told which CA to trust.
 * Redirects are answered, never followed.
 */
export function fetchTrusting(ca) {
  const agent = new Agent({ ca });
  return async (url, init = {}) => {
    const headers = Object.fromEntries(new Headers(init.headers));
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    const answer = await new Promise((resolve, reject) => {
      const sent = httpsRequest(url, { method: init.method ?? "GET", headers, agent }, resolve);
      sent.once("error", reject);
      init.signal?.addEventListener("abort", () => sent.destroy(init.signal.reason));
      sent.end(body);
    });
    const chunks = [];
    for await (const chunk of answer) {
      chunks.push(chunk);
    }
    const bodiless = [204, 205, 304].includes(answer.statusCode);
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of [value].flat()) {
        responseHeaders.append(name, one);
      }
    }
    return new Response(bodiless ? null : Buffer.concat(chunks), {
      status: answer.statusCode,
      headers: responseHeaders,
    });
  };
}

// --- The authorization request and the code's exchange -----------------------------

/** A PKCE S256 pair (RFC 7636): `{ verifier, challenge }`. */
export function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

/** A random `state` or `nonce`. */
export function random() {
  return randomBytes(16).toString("base64url");
}

/**
 * The authorization request of `login` (a `makeLoginPool` answer) on the path prefix of
 * its domain at `endpoint`, back to `app`'s callback, with `params` added.
 */
export function authorizeUrl(endpoint, login, app, params = {}) {
  const query = new URLSearchParams({
    client_id: login.clientId,
    response_type: "code",
    redirect_uri: app.callback,
    scope: "openid email profile",
    ...params,
  });
  return `${endpoint}/${login.domain}/oauth2/authorize?${query}`;
}

/** Exchanges `code` at the token endpoint with PKCE's `verifier`; answers the tokens. */
export async function exchangeCode(endpoint, login, app, code, verifier) {
  const response = await fetch(`${endpoint}/${login.domain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: login.clientId,
      code,
      redirect_uri: app.callback,
      code_verifier: verifier,
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

/**
 * The claims of `idToken`, verified by aws-jwt-verify against the JWKS the pool's
 * discovery document names: signature, issuer, audience (`clientId`), expiry and
 * token use.
 */
export async function verifyIdToken(endpoint, poolId, clientId, idToken) {
  const response = await fetch(`${endpoint}/${poolId}/.well-known/openid-configuration`);
  assert.equal(response.status, 200);
  const { issuer, jwks_uri: jwksUri } = await response.json();
  const fetcher = {
    async fetch(uri) {
      return (await fetch(uri)).arrayBuffer();
    },
  };
  return JwtRsaVerifier.create(
    {
      issuer,
      audience: clientId,
      jwksUri,
      customJwtCheck: ({ payload }) => assert.equal(payload.token_use, "id"),
    },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  ).verify(idToken);
}

// --- The pages ---------------------------------------------------------------------

/** The page's title (its heading), e.g. "Sign in". */
export async function heading(page) {
  return (await page.locator("h1").textContent()).trim();
}

/** The error a page shows, or null. */
export async function errorShown(page) {
  const error = page.locator(".errorMessage-customizable");
  return (await error.count()) === 0 ? null : (await error.textContent()).trim();
}

/** Fills in the sign-in form and sends it. */
export async function signIn(page, username, password) {
  await page.getByLabel(/^(Username|Email address)/).fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await submit(page, "Sign in");
}

/** Clicks `target` (a link, a button) and waits for the page it leads to. */
export async function follow(page, target) {
  await Promise.all([page.waitForNavigation(), target.click()]);
}

/** Presses the button labelled `label` and waits for the page it leads to. */
export async function submit(page, label) {
  await follow(page, page.getByRole("button", { name: label, exact: true }));
}

/** Fills in a page's `code` field and presses `label`. */
export async function enterCode(page, code, label) {
  await page.getByLabel(/^(Code|Confirmation code)$/).fill(code);
  await submit(page, label);
}

/** Fills in a new password twice (a new password, a reset, a sign-up). */
export async function choosePassword(page, password, confirm = password) {
  await page.getByLabel(/^(New password|Password)$/).fill(password);
  await page.getByLabel(/^Confirm (new )?password$/).fill(confirm);
}

// --- The test API -------------------------------------------------------------------

/** The code user `username` of pool `poolId` holds for `purpose` (`sign_up`, `forgot_password`). */
export async function heldCode(endpoint, poolId, username, purpose) {
  const query = new URLSearchParams({ pool_id: poolId, username });
  const response = await fetch(`${endpoint}/_cognito/codes?${query}`);
  assert.equal(response.status, 200);
  const held = (await response.json()).codes.filter((c) => c.purpose === purpose);
  assert.equal(held.length, 1, `${username} holds ${held.length} ${purpose} codes`);
  return held[0].code;
}

/** The code of the newest message of `kind` (e.g. `mfa_code`) sent to `username`. */
export async function sentCode(endpoint, poolId, username, kind) {
  const query = new URLSearchParams({ pool_id: poolId, username });
  const response = await fetch(`${endpoint}/_cognito/messages?${query}`);
  assert.equal(response.status, 200);
  const sent = (await response.json()).messages.filter((m) => m.kind === kind);
  assert.ok(sent.length > 0, `no ${kind} message for ${username}`);
  return sent.at(-1).code;
}

/** Six digits other than `code`. */
export function otherCode(code) {
  return code === "000000" ? "111111" : "000000";
}
