// Verify auth challenge response: the answer is right when it is the one the create
// trigger kept in privateChallengeParameters.

"use strict";

exports.handler = async (event) => {
  const expected = event.request.privateChallengeParameters?.answer;
  event.response.answerCorrect =
    expected !== undefined && event.request.challengeAnswer === expected;
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
