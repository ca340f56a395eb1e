// Create auth challenge: the custom challenge itself, one of two kinds.
//
// A magic code: a random six-digit code "sent" to the user (appended as a JSON line
// {userName, code} to the file MAGIC_CODE_OUTBOX names, when set), for users whose email
// is at magic.example or when ClientMetadata says flow = "magic" (Cognito passes
// ClientMetadata to this trigger from RespondToAuthChallenge, not from InitiateAuth).
// After a wrong answer the same code stands; no second message is sent.
//
// Otherwise a question: "What is 6 times 7?", answered "42".

"use strict";

const { randomInt } = require("node:crypto");
const { appendFileSync } = require("node:fs");

const MAGIC = "MAGIC-CODE-";
const QUESTION = "QUESTION-1";

function isMagic(event) {
  const email = event.request.userAttributes?.email ?? "";
  return (
    event.request.clientMetadata?.flow === "magic" ||
    email.toLowerCase().endsWith("@magic.example") ||
    (event.request.session ?? []).some((c) => c.challengeMetadata?.startsWith(MAGIC))
  );
}

/** The code of this sign-in's previous magic challenge, if there was one. */
function previousCode(event) {
  const earlier = (event.request.session ?? [])
    .filter((c) => c.challengeMetadata?.startsWith(MAGIC))
    .at(-1);
  return earlier?.challengeMetadata.slice(MAGIC.length);
}

function send(userName, code) {
  const outbox = process.env.MAGIC_CODE_OUTBOX;
  if (outbox) {
    appendFileSync(outbox, `${JSON.stringify({ userName, code })}\n`);
  }
}

exports.handler = async (event) => {
  if (event.request.challengeName !== "CUSTOM_CHALLENGE") {
    return event;
  }

  if (isMagic(event)) {
    let code = previousCode(event);
    if (code === undefined) {
      code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      if (!event.request.userNotFound) {
        send(event.userName, code);
      }
    }
    event.response.publicChallengeParameters = { delivery: "email" };
    event.response.privateChallengeParameters = { answer: code };
    event.response.challengeMetadata = MAGIC + code;
    return event;
  }

  event.response.publicChallengeParameters = { question: "What is 6 times 7?" };
  event.response.privateChallengeParameters = { answer: "42" };
  event.response.challengeMetadata = QUESTION;
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
