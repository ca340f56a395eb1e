// Runs a handler as a command, the way the server's command mode calls a function: the
// event arrives as JSON on standard input, the result leaves as JSON on standard output,
// and a handler that throws makes the process exit with status 1 and its message on
// standard error.
//
// Each handler ends with
//   if (require.main === module) require("./command").runAsCommand(exports.handler);
// so that `node handlers/<name>.js < event.json` runs it.

"use strict";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A Lambda context good enough for handlers that only read their event. */
function localContext(functionName) {
  return {
    functionName,
    functionVersion: "$LATEST",
    awsRequestId: require("node:crypto").randomUUID(),
    getRemainingTimeInMillis: () => 5000,
  };
}

async function runAsCommand(handler, functionName = "local") {
  try {
    const event = JSON.parse(await readStdin());
    const result = await handler(event, localContext(functionName));
    process.stdout.write(JSON.stringify(result ?? null));
  } catch (err) {
    process.stderr.write(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

module.exports = { runAsCommand, localContext };
