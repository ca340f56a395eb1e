// Post confirmation: answers the event untouched (tests read what it received from the
// server's invocation log), unless the user carries custom:fail_confirmation = "true".

"use strict";

exports.handler = async (event) => {
  if (event.request.userAttributes?.["custom:fail_confirmation"] === "true") {
    throw new Error("Confirmation is refused for this user");
  }
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
