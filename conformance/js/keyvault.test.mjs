// @azure/keyvault-keys with @azure/identity against azemu's Key Vault.
//
// What a real application does (see README.md):
//   - NODE_EXTRA_CA_CERTS=<azemu CA> when node starts;
//   - ClientSecretCredential(tenant, client, secret, {authorityHost: "https://localhost:8443",
//     disableInstanceDiscovery: true});
//   - either new KeyClient("https://localhost:8443", cred, {disableChallengeResourceVerification: true})
//     (the default vault, no name resolution needed), or
//     new KeyClient("https://devvault.vault.localhost:8443", cred) when *.localhost resolves
//     (/etc/hosts line, or the `agent` option with a lookup as in env.mjs).

import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { KeyClient, CryptographyClient } from "@azure/keyvault-keys";
import {
  vaultURL,
  devVaultURL,
  vaultAudience,
  devTenantID,
  devClientID,
  devObjectID,
  devCredential,
  localhostAgent,
  jwtClaims,
  uniqueName,
  expectRestError,
} from "./env.mjs";

// innerErrorCode is error.innererror.code of a Key Vault error body (the SDK
// hands the parsed body over as RestError.details, camel-casing innerError).
function innerErrorCode(err) {
  const e = err.details?.error;
  return (e?.innerError ?? e?.innererror)?.code;
}

function publicKeyOf(jwk) {
  return crypto.createPublicKey({
    key: { kty: "RSA", n: Buffer.from(jwk.n).toString("base64url"), e: Buffer.from(jwk.e).toString("base64url") },
    format: "jwk",
  });
}

describe("ClientSecretCredential with azemu as authority", () => {
  it("gets a JWT for the vault audience naming the development principal", async () => {
    const token = await devCredential().getToken(`${vaultAudience}/.default`);
    assert.ok(token, "getToken returned a token");
    assert.ok(token.expiresOnTimestamp > Date.now() + 5 * 60 * 1000, "token lives longer than the 5 min refresh margin");
    const c = jwtClaims(token.token);
    assert.equal(c.aud, vaultAudience);
    assert.equal(c.tid, devTenantID);
    assert.equal(c.oid, devObjectID);
    assert.equal(c.azp ?? c.appid, devClientID);
  });

  it("rejects a wrong client secret", async () => {
    const { ClientSecretCredential } = await import("@azure/identity");
    const bad = new ClientSecretCredential(devTenantID, devClientID, "not-the-secret", {
      authorityHost: vaultURL,
      disableInstanceDiscovery: true,
    });
    await assert.rejects(bad.getToken(`${vaultAudience}/.default`), (err) => {
      assert.match(err.message, /invalid_client|AADSTS7000215/, err.message);
      return true;
    });
  });
});

describe("KeyClient on https://localhost:PORT (default vault) with ClientSecretCredential", () => {
  const name = uniqueName("jsrsa");
  let client;
  let key;
  let crypt;

  before(() => {
    client = new KeyClient(vaultURL, devCredential(), { disableChallengeResourceVerification: true });
  });

  it("creates an RSA 2048 key", async () => {
    key = await client.createRsaKey(name, { keySize: 2048, tags: { owner: "js" } });
    assert.equal(key.name, name);
    assert.equal(key.keyType, "RSA");
    assert.equal(Buffer.from(key.key.n).length, 256, "2048-bit modulus");
    assert.deepEqual(Buffer.from(key.key.e), Buffer.from([1, 0, 1]));
    assert.equal(key.key.d, undefined, "private parts never leave the vault");
    assert.match(key.properties.version, /^[0-9a-f]{32}$/);
    assert.equal(key.properties.enabled, true);
    assert.equal(key.properties.recoveryLevel, "Recoverable");
    assert.equal(key.properties.recoverableDays, 90);
    assert.deepEqual(key.properties.tags, { owner: "js" });
    assert.ok(key.keyOperations.includes("wrapKey") && key.keyOperations.includes("unwrapKey"), `${key.keyOperations}`);
    assert.ok(key.id.endsWith(`/keys/${name}/${key.properties.version}`), key.id);
  });

  it("gets the key, latest and by version", async () => {
    const latest = await client.getKey(name);
    assert.equal(latest.id, key.id);
    assert.deepEqual(Buffer.from(latest.key.n), Buffer.from(key.key.n));
    const byVersion = await client.getKey(name, { version: key.properties.version });
    assert.equal(byVersion.id, key.id);
    await expectRestError(client.getKey(uniqueName("missing")), 404, "KeyNotFound");
  });

  it("lists the key", async () => {
    const names = [];
    for await (const p of client.listPropertiesOfKeys()) {
      names.push(p.name);
      if (p.name === name) {
        assert.equal(p.version, undefined, "list returns versionless identifiers");
        assert.equal(p.enabled, true);
      }
    }
    assert.ok(names.includes(name), `listed: ${names}`);
    const versions = [];
    for await (const p of client.listPropertiesOfKeyVersions(name)) versions.push(p.version);
    assert.deepEqual(versions, [key.properties.version]);
  });

  it("wraps and unwraps with RSA-OAEP-256 through CryptographyClient", async () => {
    crypt = client.getCryptographyClient(name, { keyVersion: key.properties.version });
    const aek = crypto.randomBytes(32);
    const wrapped = await crypt.wrapKey("RSA-OAEP-256", aek);
    assert.equal(wrapped.algorithm, "RSA-OAEP-256");
    assert.equal(wrapped.keyID, key.id);
    assert.equal(wrapped.result.length, 256);
    assert.notDeepEqual(Buffer.from(wrapped.result).subarray(0, 32), aek);
    const unwrapped = await crypt.unwrapKey("RSA-OAEP-256", wrapped.result);
    assert.deepEqual(Buffer.from(unwrapped.result), aek);

    // Wrapped locally with the public key the vault handed out: the vault's
    // private key really is the pair of that public key.
    const local = crypto.publicEncrypt(
      { key: publicKeyOf(key.key), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      aek,
    );
    const fromLocal = await crypt.unwrapKey("RSA-OAEP-256", local);
    assert.deepEqual(Buffer.from(fromLocal.result), aek);

    // A standalone CryptographyClient built from the key id works the same.
    const standalone = new CryptographyClient(key.id, devCredential(), { disableChallengeResourceVerification: true });
    const again = await standalone.unwrapKey("RSA-OAEP-256", wrapped.result);
    assert.deepEqual(Buffer.from(again.result), aek);

    // A tampered ciphertext is refused by the vault.
    const bad = Buffer.from(wrapped.result);
    bad[10] ^= 0xff;
    await expectRestError(crypt.unwrapKey("RSA-OAEP-256", bad), 400);
  });

  it("refuses wrapKey on a disabled key with 403 Forbidden / KeyDisabled", async () => {
    const updated = await client.updateKeyProperties(name, key.properties.version, { enabled: false });
    assert.equal(updated.properties.enabled, false);
    const got = await client.getKey(name);
    assert.equal(got.properties.enabled, false, "a disabled key can still be read");
    const err = await expectRestError(crypt.wrapKey("RSA-OAEP-256", crypto.randomBytes(32)), 403, "Forbidden");
    assert.equal(innerErrorCode(err), "KeyDisabled", JSON.stringify(err.details));
    await expectRestError(crypt.unwrapKey("RSA-OAEP-256", Buffer.alloc(256, 1)), 403, "Forbidden");
    const back = await client.updateKeyProperties(name, key.properties.version, { enabled: true });
    assert.equal(back.properties.enabled, true);
    const wrapped = await crypt.wrapKey("RSA-OAEP-256", crypto.randomBytes(32));
    assert.equal(wrapped.result.length, 256, "re-enabled key wraps again");
  });

  it("soft-deletes the key and reads it back with getDeletedKey", async () => {
    const poller = await client.beginDeleteKey(name, { intervalInMs: 50 });
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, name);
    assert.ok(deleted.properties.recoveryId.endsWith(`/deletedkeys/${name}`), deleted.properties.recoveryId);
    const got = await client.getDeletedKey(name);
    assert.equal(got.name, name);
    assert.equal(got.id, key.id);
    assert.ok(got.properties.deletedOn instanceof Date);
    assert.equal(
      got.properties.scheduledPurgeDate.getTime() - got.properties.deletedOn.getTime(),
      90 * 24 * 3600 * 1000,
      "purge scheduled after the 90-day retention",
    );
    await expectRestError(client.getKey(name), 404, "KeyNotFound");
    const deletedNames = [];
    for await (const d of client.listDeletedKeys()) deletedNames.push(d.name);
    assert.ok(deletedNames.includes(name), `deleted: ${deletedNames}`);
    // devvault has purge protection: purging before the retention ends is refused.
    await expectRestError(client.purgeDeletedKey(name), 403);
  });
});

describe("KeyClient on https://devvault.vault.localhost:PORT (challenge verified)", () => {
  it("creates and uses an EC key with the default challenge verification", async () => {
    const client = new KeyClient(devVaultURL, devCredential(), { agent: localhostAgent });
    const name = uniqueName("jsec");
    const key = await client.createEcKey(name, { curve: "P-256" });
    assert.equal(key.keyType, "EC");
    assert.equal(key.key.crv, "P-256");
    assert.ok(key.id.startsWith(`${devVaultURL}/keys/${name}/`), key.id);
    const digest = crypto.createHash("sha256").update("azemu").digest();
    const crypt = client.getCryptographyClient(name);
    const sig = await crypt.sign("ES256", digest);
    assert.equal(sig.result.length, 64, "ES256 signatures are r||s");
    // Verified locally with the public key: the vault really signed.
    const pub = crypto.createPublicKey({
      key: {
        kty: "EC",
        crv: "P-256",
        x: Buffer.from(key.key.x).toString("base64url"),
        y: Buffer.from(key.key.y).toString("base64url"),
      },
      format: "jwk",
    });
    const ok = crypto.verify("sha256", Buffer.from("azemu"), { key: pub, dsaEncoding: "ieee-p1363" }, Buffer.from(sig.result));
    assert.ok(ok, "signature verifies with the public key");
    const bad = Buffer.from(sig.result);
    bad[5] ^= 1;
    assert.ok(!crypto.verify("sha256", Buffer.from("azemu"), { key: pub, dsaEncoding: "ieee-p1363" }, bad));
  });
});

describe("Key Vault features applications commonly use", () => {
  let client;
  before(() => {
    client = new KeyClient(devVaultURL, devCredential(), { agent: localhostAgent });
  });

  it("rotates a key and lists its versions", async () => {
    const name = uniqueName("jsrot");
    const v1 = await client.createRsaKey(name, { keySize: 2048 });
    const v2 = await client.rotateKey(name);
    assert.notEqual(v2.properties.version, v1.properties.version);
    assert.equal((await client.getKey(name)).id, v2.id, "latest is the rotated version");
    const versions = [];
    for await (const p of client.listPropertiesOfKeyVersions(name)) versions.push(p.version);
    assert.deepEqual(versions.sort(), [v1.properties.version, v2.properties.version].sort());
    // the old version still decrypts what was encrypted for it
    const secret = crypto.randomBytes(16);
    const local = crypto.publicEncrypt(
      { key: publicKeyOf(v1.key), padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" },
      secret,
    );
    const dec = await client.getCryptographyClient(name, { keyVersion: v1.properties.version }).decrypt({ algorithm: "RSA-OAEP", ciphertext: local });
    assert.deepEqual(Buffer.from(dec.result), secret);
  });

  it("sets and reads a rotation policy", async () => {
    const name = uniqueName("jspol");
    await client.createEcKey(name);
    const set = await client.updateKeyRotationPolicy(name, {
      expiresIn: "P90D",
      lifetimeActions: [{ action: "Rotate", timeBeforeExpiry: "P30D" }],
    });
    assert.equal(set.expiresIn, "P90D");
    const got = await client.getKeyRotationPolicy(name);
    assert.equal(got.expiresIn, "P90D");
    assert.ok(got.id.endsWith(`/keys/${name}/rotationpolicy`), got.id);
    const rotate = got.lifetimeActions.find((a) => a.action === "Rotate");
    assert.ok(rotate, JSON.stringify(got.lifetimeActions));
    assert.equal(rotate.timeBeforeExpiry, "P30D");
  });

  it("signs with RS256 and PS256, verified locally", async () => {
    const name = uniqueName("jssig");
    const key = await client.createRsaKey(name, { keySize: 2048 });
    const crypt = client.getCryptographyClient(name);
    const data = Buffer.from("signed by azemu");
    const rs = await crypt.signData("RS256", data);
    assert.ok(crypto.verify("sha256", data, publicKeyOf(key.key), Buffer.from(rs.result)), "RS256 verifies locally");
    const ps = await crypt.signData("PS256", data);
    assert.ok(
      crypto.verify("sha256", data, { key: publicKeyOf(key.key), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Buffer.from(ps.result)),
      "PS256 verifies locally",
    );
    const v = await crypt.verifyData("RS256", data, rs.result);
    assert.equal(v.result, true);
    const wrong = await crypt.verifyData("RS256", Buffer.from("something else"), rs.result);
    assert.equal(wrong.result, false);
  });

  it("recovers a soft-deleted key", async () => {
    const name = uniqueName("jsrec");
    const key = await client.createEcKey(name, { curve: "P-384" });
    await (await client.beginDeleteKey(name, { intervalInMs: 50 })).pollUntilDone();
    await expectRestError(client.getKey(name), 404, "KeyNotFound");
    await expectRestError(client.createEcKey(name), 409, "Conflict");
    const recovered = await (await client.beginRecoverDeletedKey(name, { intervalInMs: 50 })).pollUntilDone();
    assert.equal(recovered.id, key.id);
    assert.equal((await client.getKey(name)).key.crv, "P-384");
    await expectRestError(client.getDeletedKey(name), 404, "KeyNotFound");
  });

  it("updates tags, expiry and permitted operations", async () => {
    const name = uniqueName("jsupd");
    const key = await client.createRsaKey(name, { keyOps: ["wrapKey", "unwrapKey"] });
    assert.deepEqual([...key.keyOperations].sort(), ["unwrapKey", "wrapKey"]);
    const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 48 * 3600 * 1000);
    const upd = await client.updateKeyProperties(name, { tags: { env: "ci" }, expiresOn });
    assert.deepEqual(upd.properties.tags, { env: "ci" });
    assert.equal(upd.properties.expiresOn.getTime(), expiresOn.getTime());
    // sign is not among the key_ops the vault reports: the SDK refuses it locally
    const crypt = client.getCryptographyClient(name);
    await assert.rejects(crypt.sign("RS256", crypto.createHash("sha256").update("x").digest()), /Operation sign is not supported/);
  });
});
