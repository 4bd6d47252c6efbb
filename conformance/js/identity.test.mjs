// Managed identity through azemu's App Service endpoint (protocol 2019-08-01).
//
// What a real application does: set IDENTITY_ENDPOINT=https://localhost:8443/msi/token and
// IDENTITY_HEADER=azemu-identity-header (plus NODE_EXTRA_CA_CERTS) in its environment;
// ManagedIdentityCredential and DefaultAzureCredential then get tokens from azemu, for the
// development principal unless a client id names another identity.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManagedIdentityCredential, DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";
import {
  vaultURL,
  devVaultURL,
  vaultAudience,
  devTenantID,
  devClientID,
  devObjectID,
  localhostAgent,
  jwtClaims,
  uniqueName,
} from "./env.mjs";

describe("ManagedIdentityCredential (IDENTITY_ENDPOINT / IDENTITY_HEADER)", () => {
  it("has the App Service environment pointing at azemu", () => {
    assert.equal(process.env.IDENTITY_ENDPOINT, `${vaultURL}/msi/token`);
    assert.equal(process.env.IDENTITY_HEADER, "azemu-identity-header");
  });

  it("gets a token for the vault audience", async () => {
    const cred = new ManagedIdentityCredential();
    const token = await cred.getToken(`${vaultAudience}/.default`);
    assert.ok(token, "getToken returned a token");
    // msal-node reads only expires_on: a wrong format would give "expires now".
    assert.ok(token.expiresOnTimestamp > Date.now() + 30 * 60 * 1000, `expiresOnTimestamp ${token.expiresOnTimestamp}`);
    const c = jwtClaims(token.token);
    assert.equal(c.aud, vaultAudience);
    assert.equal(c.tid, devTenantID);
    assert.equal(c.oid, devObjectID, "the default managed identity is the development principal");
    assert.equal(c.azp ?? c.appid, devClientID);
  });

  it("authenticates a KeyClient on devvault.vault.localhost", async () => {
    const client = new KeyClient(devVaultURL, new ManagedIdentityCredential(), { agent: localhostAgent });
    const name = uniqueName("jsmi");
    const created = await client.createRsaKey(name, { keySize: 2048 });
    const got = await client.getKey(name);
    assert.equal(got.id, created.id);
    assert.equal(got.keyType, "RSA");
  });

  it("is what DefaultAzureCredential picks when only IDENTITY_* is set", async () => {
    const token = await new DefaultAzureCredential().getToken(`${vaultAudience}/.default`);
    assert.equal(jwtClaims(token.token).oid, devObjectID);
  });
});
