// Custom message: rewrites every message the pool sends (sign-up, resent and
// verification codes, password reset, invitation, MFA codes) with recognisable text
// around the placeholders Cognito replaces: the code, and the username of an invitation.
// The link placeholder is left out: Cognito fills it in only where verification is by
// link, and these messages must read the same in every pool.

"use strict";

exports.handler = async (event) => {
  const source = event.triggerSource;
  if (!source.startsWith("CustomMessage_")) {
    throw new Error(`Unexpected trigger source ${source}`);
  }
  const { codeParameter, usernameParameter } = event.request;

  let text = `Custom ${source}: your code is ${codeParameter}.`;
  if (source === "CustomMessage_AdminCreateUser") {
    text += ` Sign in as ${usernameParameter}.`;
  }

  event.response.emailSubject = `Custom: ${source}`;
  event.response.emailMessage = text;
  event.response.smsMessage = text;
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
