// HTTPS (`--tls`): a server of this test's own serves HTTPS beside HTTP on one
// port, with a certificate signed by a local CA it writes to `--tls-dir`. The AWS
// SDK v3 calls it over HTTPS trusting that CA through an https Agent, and
// aws-jwt-verify's JwtRsaVerifier fetches the pool's JWKS over HTTPS, without
// `cacheJwks`: once in this process with the CA in its fetcher's request
// options, once in a child `node` that trusts the CA through NODE_EXTRA_CA_CERTS
// and uses the library's defaults.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUserPoolsCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { SimpleFetcher } from "aws-jwt-verify/https";

import { PASSWORD } from "../lib/accounts.js";
import { region } from "../lib/cognito.js";
import { startCognitoServer } from "../lib/triggers.js";

const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

/** An SDK client for `endpoint` whose https Agent trusts `ca` (or the system's CAs). */
function httpsClient(endpoint, ca) {
  return new CognitoIdentityProviderClient({
    region,
    endpoint,
    credentials,
    maxAttempts: 1,
    requestHandler: ca ? { httpsAgent: new Agent({ ca }) } : undefined,
  });
}

/** Verifies `token` in a child `node` trusting `caFile`, with aws-jwt-verify's defaults. */
async function verifyInChild({ caFile, issuer, clientId, token }) {
  const script = `
    import { JwtRsaVerifier } from "aws-jwt-verify";
    const verifier = JwtRsaVerifier.create({
      issuer: process.env.ISSUER,
      audience: process.env.CLIENT_ID,
      jwksUri: process.env.ISSUER + "/.well-known/jwks.json",
    });
    const payload = await verifier.verify(process.env.TOKEN);
    process.stdout.write(JSON.stringify(payload));
  `;
  const environment = { ...process.env, ISSUER: issuer, CLIENT_ID: clientId, TOKEN: token };
  delete environment.NODE_EXTRA_CA_CERTS;
  if (caFile) environment.NODE_EXTRA_CA_CERTS = caFile;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--input-type=module", "--eval", script],
    {
      // Resolves aws-jwt-verify from this suite's node_modules.
      cwd: path.dirname(new URL(import.meta.url).pathname),
      env: environment,
    },
  );
  return JSON.parse(stdout);
}

describe("HTTPS with a local CA (--tls)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cognito-https-"));
  const caFile = path.join(dir, "ca.pem");
  let server;
  let https;
  let client;
  let poolId;
  let clientId;
  let tokens;

  before(async () => {
    server = await startCognitoServer(["--tls", "--tls-dir", dir]);
    https = server.endpoint.replace(/^http:/, "https:");
    client = httpsClient(https, readFileSync(caFile));
    const pool = await client.send(new CreateUserPoolCommand({ PoolName: "https" }));
    poolId = pool.UserPool.Id;
    const app = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: "web",
        ExplicitAuthFlows: ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    clientId = app.UserPoolClient.ClientId;
    await client.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: "ana", MessageAction: "SUPPRESS" }),
    );
    await client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: "ana",
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    const signedIn = await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
        AuthParameters: { USERNAME: "ana", PASSWORD },
      }),
    );
    tokens = signedIn.AuthenticationResult;
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("announces both schemes on one port and the CA file to trust", () => {
    const output = server.output();
    assert.match(output, new RegExp(`listening on ${https.replaceAll(".", "\\.")}\\n`));
    assert.ok(output.includes(`local CA ${caFile} `), output);
  });

  it("answers the AWS SDK over HTTPS when its agent trusts the CA, and only then", async () => {
    const listed = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
    assert.ok(listed.UserPools.some((pool) => pool.Id === poolId));
    await assert.rejects(
      httpsClient(https).send(new ListUserPoolsCommand({ MaxResults: 1 })),
      (err) => {
        assert.match(err.code ?? err.message, /SELF_SIGNED_CERT_IN_CHAIN|self.signed/i);
        return true;
      },
    );
  });

  it("issues tokens whose issuer is the HTTPS address", () => {
    const payload = JSON.parse(Buffer.from(tokens.IdToken.split(".")[1], "base64url"));
    assert.equal(payload.iss, `${https}/${poolId}`);
  });

  it("lets JwtRsaVerifier fetch the JWKS over HTTPS with the CA in its request options", async () => {
    const fetcher = new SimpleFetcher({ defaultRequestOptions: { ca: readFileSync(caFile) } });
    const verifier = JwtRsaVerifier.create(
      {
        issuer: `${https}/${poolId}`,
        audience: null,
        jwksUri: `${https}/${poolId}/.well-known/jwks.json`,
        customJwtCheck: ({ payload }) => {
          assert.equal(payload.token_use, "access");
          assert.equal(payload.client_id, clientId);
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher }) },
    );
    const payload = await verifier.verify(tokens.AccessToken);
    assert.equal(payload.username, "ana");
  });

  it("lets a process trusting the CA through NODE_EXTRA_CA_CERTS verify tokens unchanged", async () => {
    const payload = await verifyInChild({
      caFile,
      issuer: `${https}/${poolId}`,
      clientId,
      token: tokens.IdToken,
    });
    assert.equal(payload["cognito:username"], "ana");
    assert.equal(payload.aud, clientId);
    // Without the CA, the same fetch is refused.
    await assert.rejects(
      verifyInChild({ caFile: undefined, issuer: `${https}/${poolId}`, clientId, token: tokens.IdToken }),
      /self.signed certificate in certificate chain/i,
    );
  });
});
