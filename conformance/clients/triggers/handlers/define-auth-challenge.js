// Define auth challenge: the custom authentication sequence.
//
// A sign-in that starts with SRP (session [SRP_A]) proves the password first
// (PASSWORD_VERIFIER), then answers one custom challenge; one that starts without SRP
// answers the custom challenge alone. A right answer issues tokens; the third wrong
// answer, a wrong password, or an unknown user fails the sign-in.

"use strict";

const MAX_WRONG_ANSWERS = 3;

function next(event, { challengeName, issueTokens = false, failAuthentication = false }) {
  if (challengeName !== undefined) {
    event.response.challengeName = challengeName;
  }
  event.response.issueTokens = issueTokens;
  event.response.failAuthentication = failAuthentication;
  return event;
}

exports.handler = async (event) => {
  const session = event.request.session ?? [];
  const last = session.at(-1);
  const wrongAnswers = session.filter(
    (c) => c.challengeName === "CUSTOM_CHALLENGE" && c.challengeResult === false,
  ).length;

  if (event.request.userNotFound) {
    return next(event, { failAuthentication: true });
  }
  if (last === undefined) {
    return next(event, { challengeName: "CUSTOM_CHALLENGE" });
  }
  if (session.length === 1 && last.challengeName === "SRP_A") {
    return next(event, { challengeName: "PASSWORD_VERIFIER" });
  }
  if (last.challengeName === "PASSWORD_VERIFIER" && last.challengeResult === true) {
    return next(event, { challengeName: "CUSTOM_CHALLENGE" });
  }
  if (last.challengeName === "CUSTOM_CHALLENGE" && last.challengeResult === true) {
    return next(event, { issueTokens: true });
  }
  if (last.challengeName === "CUSTOM_CHALLENGE" && wrongAnswers < MAX_WRONG_ANSWERS) {
    return next(event, { challengeName: "CUSTOM_CHALLENGE" });
  }
  return next(event, { failAuthentication: true });
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
