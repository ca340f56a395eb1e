// A server-side web app signing its users in through a pool's managed login with
// openid-client, the way Auth.js (NextAuth) and its Cognito provider do: the app
// discovers the pool from its issuer, `/api/auth/signin/cognito` sends the browser
// to the authorization endpoint with PKCE, state and nonce kept in short-lived
// HttpOnly cookies, `/api/auth/callback/cognito` checks them, exchanges the code
// as a confidential client (client_secret_basic) and keeps the user in a session
// cookie of the app's own, and `/api/auth/signout` ends the app's session and
// Cognito's (`/logout` with `client_id` and `logout_uri`). `/` shows who is signed in.

import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

import * as oidc from "openid-client";

/** The app's cookies, each as `name=value`. */
function cookiesOf(request) {
  return Object.fromEntries(
    (request.headers.cookie ?? "")
      .split(";")
      .map((pair) => pair.trim().split("="))
      .filter(([name]) => name),
  );
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Starts the app on http://localhost:<free port>. `register({ callback, home })` makes
 * its app client, with `callback` as a callback URL and `home` as a sign-out URL, and
 * answers `{ issuer, clientId, clientSecret }`; `fetch` reaches the pool (one trusting
 * its CA over HTTPS). Answers `{ origin, home, sessions, close }`; `sessions` maps the
 * app's session ids to the ID token's claims.
 */
export async function startOidcApp({ register, fetch }) {
  const sessions = new Map();
  let config;
  const server = createServer((request, response) => {
    route(request, response).catch((err) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`${err.name}: ${err.message}`);
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const origin = `http://localhost:${server.address().port}`;
  const callback = `${origin}/api/auth/callback/cognito`;
  const home = `${origin}/`;
  try {
    const { issuer, clientId, clientSecret } = await register({ callback, home });
    config = await oidc.discovery(
      new URL(issuer),
      clientId,
      undefined,
      oidc.ClientSecretBasic(clientSecret),
      { [oidc.customFetch]: fetch },
    );
    config[oidc.customFetch] = fetch;
  } catch (err) {
    server.close();
    throw err;
  }

  const cookie = (name, value, maxAge) =>
    `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}`;

  async function route(request, response) {
    const url = new URL(request.url, origin);
    const cookies = cookiesOf(request);
    if (url.pathname === "/api/auth/signin/cognito") {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const authorize = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callback,
        scope: "openid email profile",
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
        nonce,
      });
      response.writeHead(302, {
        location: authorize.href,
        "set-cookie": [
          cookie("authjs.pkce.code_verifier", verifier, 900),
          cookie("authjs.state", state, 900),
          cookie("authjs.nonce", nonce, 900),
        ],
      });
      response.end();
    } else if (url.pathname === "/api/auth/callback/cognito") {
      const tokens = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: cookies["authjs.pkce.code_verifier"],
        expectedState: cookies["authjs.state"],
        expectedNonce: cookies["authjs.nonce"],
        idTokenExpected: true,
      });
      const id = randomBytes(16).toString("hex");
      sessions.set(id, tokens.claims());
      response.writeHead(302, {
        location: home,
        "set-cookie": [
          cookie("authjs.session-token", id, 3600),
          cookie("authjs.pkce.code_verifier", "", 0),
          cookie("authjs.state", "", 0),
          cookie("authjs.nonce", "", 0),
        ],
      });
      response.end();
    } else if (url.pathname === "/api/auth/signout") {
      sessions.delete(cookies["authjs.session-token"]);
      const logout = oidc.buildEndSessionUrl(config, {
        client_id: config.clientMetadata().client_id,
        logout_uri: home,
      });
      response.writeHead(302, {
        location: logout.href,
        "set-cookie": cookie("authjs.session-token", "", 0),
      });
      response.end();
    } else {
      const user = sessions.get(cookies["authjs.session-token"]);
      const body = user
        ? `<h1>Signed in as ${escapeHtml(user.email)}</h1><a href="/api/auth/signout">Sign out</a>`
        : `<h1>Not signed in</h1><a href="/api/auth/signin/cognito">Sign in with Cognito</a>`;
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(`<!doctype html><title>App</title>${body}`);
    }
  }

  return {
    origin,
    home,
    sessions,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
