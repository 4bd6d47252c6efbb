// Shared set-up for the JavaScript conformance checks: the endpoints azemu
// was started on (handed over by conformance/js_test.go through environment
// variables) and the few options a real application needs to reach azemu with
// the unmodified Azure SDKs. See README.md in this folder.

import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import assert from "node:assert/strict";
import { ClientSecretCredential } from "@azure/identity";

function required(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run these checks through "go test -run TestJavaScriptSDKs ./conformance/"`);
  }
  return v;
}

export const blobURL = required("AZEMU_BLOB_URL"); // http://127.0.0.1:PORT (no account)
export const fileURL = required("AZEMU_FILE_URL"); // http://127.0.0.1:PORT (no account)
export const vaultURL = required("AZEMU_VAULT_URL"); // https://localhost:PORT: authority, default vault, MSI
export const devVaultURL = required("AZEMU_DEV_VAULT_URL"); // https://devvault.vault.localhost:PORT
export const connectionString = required("AZEMU_CONNECTION_STRING");
required("NODE_EXTRA_CA_CERTS"); // the emulator's CA; Node reads it only at start-up

// The development principal and tenant (public on purpose, like devstoreaccount1).
export const devTenantID = "00000000-0000-4000-8000-000000000000";
export const devClientID = "00000000-0000-4000-8000-000000000001";
export const devClientSecret = "azemu-development-secret";
export const devObjectID = "00000000-0000-4000-8000-000000000002";

// The audience azemu's Key Vault challenge names: https://vault.localhost:PORT.
export const vaultAudience = `https://vault.localhost:${new URL(vaultURL).port}`;

// localhostLookup resolves localhost and every *.localhost name to the
// loopback address, as RFC 6761 says they should; many resolvers (glibc with
// "hosts: files dns" and no nss-myhostname) answer ENOTFOUND for
// devvault.vault.localhost. Node's net.connect calls it with {all: true} when
// autoSelectFamily is on (the default since Node 20), so both forms are served.
export function localhostLookup(hostname, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  const host = hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) {
    process.nextTick(() => {
      if (options && options.all) {
        callback(null, [{ address: "127.0.0.1", family: 4 }]);
      } else {
        callback(null, "127.0.0.1", 4);
      }
    });
    return;
  }
  dns.lookup(hostname, options, callback);
}

// localhostAgent is an https.Agent using localhostLookup. Every Azure SDK
// client takes it as the `agent` client option (core-rest-pipeline's
// PipelineOptions.agent); NODE_EXTRA_CA_CERTS still supplies the trust.
export const localhostAgent = new https.Agent({ keepAlive: true, lookup: localhostLookup });

// localhostHTTPAgent is the same for the plain-HTTP storage endpoints, e.g.
// host-style http://devstoreaccount1.file.localhost:PORT.
export const localhostHTTPAgent = new http.Agent({ keepAlive: true, lookup: localhostLookup });

// devCredential is the client-secret credential of the development principal
// with azemu as its authority. disableInstanceDiscovery is mandatory: without
// it MSAL asks login.microsoftonline.com whether the authority is known.
export function devCredential() {
  return new ClientSecretCredential(devTenantID, devClientID, devClientSecret, {
    authorityHost: vaultURL,
    disableInstanceDiscovery: true,
  });
}

// parseConnectionString splits "k=v;k=v;" into an object.
export function parseConnectionString(cs) {
  const out = {};
  for (const part of cs.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

// jwtClaims decodes (without verifying) the payload of a JWT access token.
export function jwtClaims(token) {
  const parts = token.split(".");
  assert.equal(parts.length, 3, "access token is a JWS compact serialisation");
  return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
}

// uniqueName is a fresh lowercase resource name (containers, shares, keys).
export function uniqueName(prefix) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

// expectRestError awaits p, requires it to reject with a RestError of the
// given HTTP status and service error code, and returns the error.
export async function expectRestError(p, statusCode, code) {
  let err;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a ${statusCode} ${code} error, the call succeeded`);
  assert.equal(err.name, "RestError", `expected RestError, got ${err.name}: ${err.message}`);
  assert.equal(err.statusCode, statusCode, `status of: ${err.message}`);
  if (code !== undefined) {
    // Responses without a body (HEAD) carry the code only in x-ms-error-code,
    // which the storage SDKs surface as details.errorCode.
    assert.equal(err.code ?? err.details?.errorCode, code, `code of: ${err.message} ${JSON.stringify(err.details)}`);
  }
  return err;
}
