// What the Lambda trigger tests share: the handlers of conformance/clients/triggers
// (installed with `npm ci` there on first use), a real Lambda runner for them
// (serverless-offline's Lambda Invoke API, or the HTTP server beside the handlers), moto's
// server as the KMS of custom senders, a cognito-server of the tests' own started with
// the flags that reach those functions (the shared server at COGNITO_ENDPOINT runs none),
// and readers for what the server recorded: the invocations
// (`GET /_cognito/trigger-invocations`), the messages, and the tokens, verified.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

import { httpFetcher } from "./accounts.js";
import { accountId, region } from "./cognito.js";

/** The folder of the handlers, their package.json and serverless.yml. */
export const TRIGGERS_DIR = fileURLToPath(new URL("../../triggers/", import.meta.url));
export const HANDLERS_DIR = path.join(TRIGGERS_DIR, "handlers");
const REPO_DIR = fileURLToPath(new URL("../../../../", import.meta.url));

/** serverless.yml's service and stage: functions are named `<service>-<stage>-<key>`. */
const SERVICE = "cognito-triggers";
const STAGE = "local";

/** How long a runner or server may take to say it is listening. */
const STARTUP_MS = 120_000;

/** The ARN a pool's LambdaConfig names function `name` by. */
export function functionArn(name) {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

/** The ARN of serverless.yml's function `key` (e.g. "pre-sign-up"), as deployed. */
export function offlineArn(key) {
  return functionArn(`${SERVICE}-${STAGE}-${key}`);
}

// --- The handlers' packages -------------------------------------------------------

const STAMP = path.join(TRIGGERS_DIR, "node_modules", ".installed-package-lock.json");
const INSTALL_LOCK = path.join(TRIGGERS_DIR, ".install.lock");
/** An install lock older than this was left by a run that stopped halfway. */
const STALE_LOCK_MS = 15 * 60_000;

/** Runs `install` with the folder's install lock held: test files running at once take turns. */
async function withInstallLock(install) {
  const deadline = Date.now() + 10 * 60_000;
  let held;
  for (;;) {
    try {
      held = openSync(INSTALL_LOCK, "wx");
      break;
    } catch (err) {
      if (err.code !== "EEXIST" || Date.now() > deadline) {
        throw err;
      }
      if (Date.now() - statSync(INSTALL_LOCK, { throwIfNoEntry: false })?.mtimeMs > STALE_LOCK_MS) {
        rmSync(INSTALL_LOCK, { force: true }); // left by a run that was stopped
        continue;
      }
      await delay(500); // another test file is installing
    }
  }
  try {
    return install();
  } finally {
    closeSync(held);
    rmSync(INSTALL_LOCK, { force: true });
  }
}

function run(command, args, cwd) {
  const done = spawnSync(command, args, { cwd, encoding: "utf8" });
  assert.equal(
    done.status,
    0,
    `${command} ${args.join(" ")} failed in ${cwd}:\n${done.error ?? ""}${done.stdout}${done.stderr}`,
  );
}

/**
 * Installs the handlers' packages (`npm ci` in conformance/clients/triggers) unless
 * the installed ones match package-lock.json.
 */
export async function ensureTriggerPackages() {
  const lock = readFileSync(path.join(TRIGGERS_DIR, "package-lock.json"), "utf8");
  const upToDate = () => existsSync(STAMP) && readFileSync(STAMP, "utf8") === lock;
  if (upToDate()) {
    return;
  }
  await withInstallLock(() => {
    if (!upToDate()) {
      const npm = process.platform === "win32" ? "npm.cmd" : "npm";
      run(npm, ["ci", "--no-audit", "--no-fund"], TRIGGERS_DIR);
      writeFileSync(STAMP, lock);
    }
  });
}

/** moto, whose server is the KMS the custom sender tests use, as the Python suite pins it. */
const MOTO = "moto[server]==5.2.5";
const VENV = path.join(TRIGGERS_DIR, ".venv");

/** The Python of a virtual environment beside the handlers with moto installed. */
async function motoPython() {
  const windows = process.platform === "win32";
  const python = path.join(VENV, windows ? "Scripts" : "bin", windows ? "python.exe" : "python");
  const stamp = path.join(VENV, ".installed-requirements");
  const upToDate = () => existsSync(stamp) && readFileSync(stamp, "utf8") === MOTO;
  if (!upToDate()) {
    await withInstallLock(() => {
      if (!existsSync(python)) {
        run(windows ? "python" : "python3", ["-m", "venv", VENV], TRIGGERS_DIR);
      }
      if (!upToDate()) {
        run(
          python,
          ["-m", "pip", "install", "--disable-pip-version-check", "-q", MOTO],
          TRIGGERS_DIR,
        );
        writeFileSync(stamp, MOTO);
      }
    });
  }
  return python;
}

// --- Processes ---------------------------------------------------------------------

/** A port free on 127.0.0.1 right now. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `command` with `args` and waits until a line of its output matches `ready`;
 * resolves with the match and a `stop()` that ends the process.
 */
async function startProcess(command, args, { cwd, env, ready, name }) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not start within ${STARTUP_MS} ms:\n${output}`));
    }, STARTUP_MS);
    const read = (chunk) => {
      output += chunk;
      const found = output.match(ready);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.setEncoding("utf8").on("data", read);
    child.stderr.setEncoding("utf8").on("data", read);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`));
    });
  }).catch((err) => {
    child.kill("SIGKILL");
    throw err;
  });
  return {
    match,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const stopped = await Promise.race([exited.then(() => true), delay(5000, false)]);
        if (!stopped) {
          child.kill("SIGKILL");
          await exited;
        }
      }
    },
  };
}

/**
 * serverless-offline serving the handlers' Lambda Invoke API on a free port of
 * 127.0.0.1, with `env` for the functions (MAGIC_CODE_OUTBOX, SENDER_OUTBOX, ...).
 * Resolves with `{ endpoint, stop }`.
 */
export async function startServerlessOffline(env = {}) {
  await ensureTriggerPackages();
  const lambdaPort = await freePort();
  const httpPort = await freePort();
  const serverless = path.join(TRIGGERS_DIR, "node_modules", "serverless", "bin", "serverless.js");
  const runner = await startProcess(
    process.execPath,
    [
      serverless,
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--lambdaPort",
      String(lambdaPort),
      "--httpPort",
      String(httpPort),
      "--noTimeout",
    ],
    {
      cwd: TRIGGERS_DIR,
      env: { SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off", ...env },
      ready: /\[http for lambda\] listening on (http:\/\/\S+)/,
      name: "serverless-offline",
    },
  );
  return { endpoint: `http://127.0.0.1:${lambdaPort}`, stop: runner.stop };
}

/**
 * The handlers behind HTTP (http-server.js), each at `<url>/<handler>`. Resolves with
 * `{ url, stop }`.
 */
export async function startHandlerHttpServer(env = {}) {
  const server = await startProcess(
    process.execPath,
    [path.join(TRIGGERS_DIR, "http-server.js"), "--port", "0"],
    { cwd: TRIGGERS_DIR, env, ready: /listening on (http:\/\/\S+)/, name: "http-server.js" },
  );
  return { url: server.match[1], stop: server.stop };
}

/**
 * moto's server on a free port of 127.0.0.1, a KMS (among other services) that keeps its
 * keys in memory. Resolves with `{ endpoint, stop }`.
 */
export async function startMotoServer() {
  const python = await motoPython();
  const port = await freePort();
  const moto = await startProcess(
    python,
    ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
    { cwd: TRIGGERS_DIR, env: {}, ready: /Running on (http:\/\/\S+)/, name: "moto" },
  );
  return { endpoint: `http://127.0.0.1:${port}`, stop: moto.stop };
}

/** The command that runs handler `name` in the server's command mode. */
export function handlerCommand(name) {
  return `${process.execPath} ${path.join(HANDLERS_DIR, `${name}.js`)}`;
}

/** COGNITO_SERVER_BIN, or the debug build of this checkout. */
export function serverBinary() {
  const named = process.env.COGNITO_SERVER_BIN;
  const binary = named || path.join(REPO_DIR, "target", "debug", "cognito-server");
  assert.ok(
    existsSync(binary),
    `${binary} does not exist: build it (cargo build -p cognito-server) or set COGNITO_SERVER_BIN`,
  );
  return binary;
}

/**
 * A cognito-server of the test's own on a free port, started with `args` (e.g.
 * `["--lambda-endpoint", url]`). Resolves with `{ endpoint, client, stop }`, `client`
 * an SDK client pointed at it.
 */
export async function startCognitoServer(args, env = {}) {
  const server = await startProcess(serverBinary(), ["--port", "0", ...args], {
    cwd: REPO_DIR,
    env,
    ready: /listening on (http:\/\/[^\s]+)/,
    name: "cognito-server",
  });
  const endpoint = server.match[1];
  return { endpoint, client: clientFor(endpoint), stop: server.stop, output: server.output };
}

/** A cognito-idp client for the server at `endpoint`. */
export function clientFor(endpoint) {
  return new CognitoIdentityProviderClient({
    region,
    endpoint,
    credentials: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    maxAttempts: 1,
  });
}

// --- What the server recorded --------------------------------------------------------

async function getJson(url) {
  const response = await fetch(url);
  const text = await response.text();
  assert.equal(response.status, 200, `${url} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/**
 * The invocations the server at `endpoint` recorded, oldest first, narrowed by
 * `query` (`pool_id`, `trigger`, `source`, `username`).
 */
export async function invocations(endpoint, query) {
  const params = new URLSearchParams(query);
  return (await getJson(`${endpoint}/_cognito/trigger-invocations?${params}`)).invocations;
}

/** The one invocation `query` matches; fails when there are none or several. */
export async function onlyInvocation(endpoint, query) {
  const found = await invocations(endpoint, query);
  assert.equal(
    found.length,
    1,
    `expected one invocation of ${JSON.stringify(query)}, got ${JSON.stringify(found, null, 1)}`,
  );
  return found[0];
}

/** The messages the server at `endpoint` sent for pool `poolId`, oldest first. */
export async function sentMessages(endpoint, poolId, username) {
  const params = new URLSearchParams({ pool_id: poolId });
  if (username !== undefined) {
    params.set("username", username);
  }
  return (await getJson(`${endpoint}/_cognito/messages?${params}`)).messages;
}

/**
 * The claims of the ID and access tokens of `result` (an AuthenticationResult) of app
 * client `clientId` of pool `poolId` at `endpoint`, each verified with aws-jwt-verify:
 * signed by a key of the pool's JWKS, its issuer the discovery document's, unexpired,
 * for that client.
 */
export async function verifiedTokens(endpoint, poolId, clientId, result) {
  const { issuer, jwks_uri: jwksUri } = await getJson(
    `${endpoint}/${poolId}/.well-known/openid-configuration`,
  );
  const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
  const id = await JwtRsaVerifier.create(
    {
      issuer,
      audience: clientId,
      jwksUri,
      customJwtCheck: ({ payload }) => assert.equal(payload.token_use, "id"),
    },
    { jwksCache },
  ).verify(result.IdToken);
  const access = await JwtRsaVerifier.create(
    {
      issuer,
      audience: null,
      jwksUri,
      customJwtCheck: ({ payload }) => {
        assert.equal(payload.token_use, "access");
        assert.equal(payload.client_id, clientId);
      },
    },
    { jwksCache },
  ).verify(result.AccessToken);
  return { id, access };
}

/** The claims of a JWT, unverified. */
export function claimsOf(jwt) {
  const [, payload] = jwt.split(".");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

/** The JSON lines a handler appended to `file`, or none when it wrote nothing. */
export function readJsonLines(file) {
  if (!existsSync(file)) {
    return [];
  }
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}
