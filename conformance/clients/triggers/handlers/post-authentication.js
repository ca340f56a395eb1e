// Post authentication: answers the event untouched; tests read what it received
// (userAttributes, newDeviceUsed, clientMetadata) from the server's invocation log.

"use strict";

exports.handler = async (event) => event;

if (require.main === module) require("./command").runAsCommand(exports.handler);
