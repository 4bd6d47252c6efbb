// @azure/keyvault-secrets with @azure/identity against azemu's Key Vault:
// the main paths of a secret's life, failures checked by status and code.

import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { SecretClient } from "@azure/keyvault-secrets";
import { vaultURL, devVaultURL, devCredential, localhostAgent, uniqueName, expectRestError } from "./env.mjs";

function innerErrorCode(err) {
  const e = err.details?.error;
  return (e?.innerError ?? e?.innererror)?.code;
}

describe("SecretClient on the default vault with ClientSecretCredential", () => {
  const name = uniqueName("jssecret");
  let client;
  let first;

  before(() => {
    client = new SecretClient(vaultURL, devCredential(), { disableChallengeResourceVerification: true });
  });

  it("sets a secret with content type, tags and expiry", async () => {
    const expiresOn = new Date(Date.now() - 3600 * 1000);
    first = await client.setSecret(name, "s3cr3t-1", { contentType: "text/plain", tags: { app: "js" }, expiresOn });
    assert.equal(first.name, name);
    assert.equal(first.value, "s3cr3t-1");
    assert.match(first.properties.version, /^[0-9a-f]{32}$/);
    assert.equal(first.properties.contentType, "text/plain");
    assert.deepEqual(first.properties.tags, { app: "js" });
    assert.equal(first.properties.recoveryLevel, "Recoverable");
    assert.equal(first.properties.recoverableDays, 90);
  });

  it("gets the latest and a version; expiry is reported, not enforced", async () => {
    const second = await client.setSecret(name, "s3cr3t-2");
    const latest = await client.getSecret(name);
    assert.equal(latest.value, "s3cr3t-2");
    assert.equal(latest.properties.version, second.properties.version);
    const old = await client.getSecret(name, { version: first.properties.version });
    assert.equal(old.value, "s3cr3t-1");
    assert.ok(old.properties.expiresOn < new Date());
    await expectRestError(client.getSecret(uniqueName("missing")), 404, "SecretNotFound");
  });

  it("updates properties, never the value; a disabled version answers 403 SecretDisabled", async () => {
    const upd = await client.updateSecretProperties(name, first.properties.version, { enabled: false, tags: { state: "off" } });
    assert.equal(upd.enabled, false);
    const err = await expectRestError(client.getSecret(name, { version: first.properties.version }), 403, "Forbidden");
    assert.equal(innerErrorCode(err), "SecretDisabled");
    await client.updateSecretProperties(name, first.properties.version, { enabled: true });
    assert.equal((await client.getSecret(name, { version: first.properties.version })).value, "s3cr3t-1");
  });

  it("lists secrets and versions", async () => {
    const names = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    assert.ok(names.includes(name), `listed: ${names}`);
    const versions = [];
    for await (const p of client.listPropertiesOfSecretVersions(name)) versions.push(p.version);
    assert.equal(versions.length, 2);
  });

  it("backs up, deletes, recovers; purge is refused under purge protection", async () => {
    const backup = await client.backupSecret(name);
    assert.ok(backup.length > 32);
    const poller = await client.beginDeleteSecret(name);
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, name);
    assert.ok(deleted.properties.recoveryId.endsWith(`/deletedsecrets/${name}`));
    assert.ok(deleted.scheduledPurgeDate > deleted.deletedOn);
    const err = await expectRestError(client.setSecret(name, "again"), 409, "Conflict");
    assert.equal(innerErrorCode(err), "ObjectIsDeletedButRecoverable");
    const listed = [];
    for await (const d of client.listDeletedSecrets()) listed.push(d.name);
    assert.ok(listed.includes(name));
    const perr = await expectRestError(client.purgeDeletedSecret(name), 403, "Forbidden");
    assert.equal(innerErrorCode(perr), "ForbiddenByPolicy");
    const recover = await client.beginRecoverDeletedSecret(name);
    await recover.pollUntilDone();
    assert.equal((await client.getSecret(name)).value, "s3cr3t-2");
    await expectRestError(client.restoreSecretBackup(backup), 409, "Conflict");
    await expectRestError(client.restoreSecretBackup(new Uint8Array([1, 2, 3])), 400, "BadParameter");
  });
});

describe("SecretClient on https://devvault.vault.localhost:PORT", () => {
  it("sets and gets through the host-style vault URL", async () => {
    const client = new SecretClient(devVaultURL, devCredential(), { agent: localhostAgent });
    const name = uniqueName("jshost");
    await client.setSecret(name, "over host-style");
    assert.equal((await client.getSecret(name)).value, "over host-style");
    await expectRestError(client.setSecret("bad_name", "x"), 400, "BadParameter");
  });
});
