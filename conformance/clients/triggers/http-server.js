// Serves the handlers over HTTP, for the server's URL mode: `POST /<handler>` (e.g.
// `POST /pre-sign-up`) with the event as its JSON body answers 200 with the handler's
// result, or 500 with {"errorMessage", "errorType"} when the handler throws.
//
//   node http-server.js [--port N] [--host H]
//
// Prints `listening on http://HOST:PORT` once it accepts requests (port 0, the default,
// picks a free one) and runs until it is stopped.

"use strict";

const { createServer } = require("node:http");
const { parseArgs } = require("node:util");

const { localContext } = require("./handlers/command");

const HANDLERS = {
  "pre-sign-up": () => require("./handlers/pre-sign-up"),
  "post-confirmation": () => require("./handlers/post-confirmation"),
  "pre-authentication": () => require("./handlers/pre-authentication"),
  "post-authentication": () => require("./handlers/post-authentication"),
  "user-migration": () => require("./handlers/user-migration"),
  "custom-message": () => require("./handlers/custom-message"),
  "pre-token-generation-v1": () => require("./handlers/pre-token-generation-v1"),
  "pre-token-generation-v2": () => require("./handlers/pre-token-generation-v2"),
  "define-auth-challenge": () => require("./handlers/define-auth-challenge"),
  "create-auth-challenge": () => require("./handlers/create-auth-challenge"),
  "verify-auth-challenge-response": () => require("./handlers/verify-auth-challenge-response"),
  "custom-email-sender": () => require("./handlers/custom-email-sender"),
  "custom-sms-sender": () => require("./handlers/custom-sms-sender"),
};

function answer(res, status, body) {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(req, res) {
  const name = new URL(req.url, "http://localhost").pathname.replace(/^\/+|\/+$/g, "");
  const load = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
  if (load === undefined) {
    return answer(res, 404, { errorMessage: `No handler named ${name}`, errorType: "NotFound" });
  }
  if (req.method !== "POST") {
    return answer(res, 405, { errorMessage: "Use POST", errorType: "MethodNotAllowed" });
  }
  let event;
  try {
    event = JSON.parse(await readBody(req));
  } catch {
    return answer(res, 400, { errorMessage: "The event is not JSON", errorType: "BadRequest" });
  }
  try {
    answer(res, 200, await load().handler(event, localContext(name)));
  } catch (err) {
    answer(res, 500, {
      errorMessage: err instanceof Error ? err.message : String(err),
      errorType: err instanceof Error ? err.name : "Error",
    });
  }
}

function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
    },
  });
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => answer(res, 500, { errorMessage: String(err) }));
  });
  server.listen(Number(values.port), values.host, () => {
    const { address, port } = server.address();
    const host = address.includes(":") ? `[${address}]` : address;
    process.stdout.write(`listening on http://${host}:${port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) main();

module.exports = { HANDLERS };
