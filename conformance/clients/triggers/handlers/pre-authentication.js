// Pre authentication: refuses sign-in to users whose custom:blocked is "true".

"use strict";

exports.handler = async (event) => {
  if (event.request.userAttributes?.["custom:blocked"] === "true") {
    throw new Error("This user is blocked");
  }
  return event;
};

if (require.main === module) require("./command").runAsCommand(exports.handler);
