// @azure/keyvault-certificates (with keyvault-secrets and keyvault-keys for
// the certificate's secret and key) against azemu's Key Vault. The
// certificate is checked with node:crypto's X509Certificate and a TLS server
// started with the exported PKCS#12 is accepted by a client trusting it.

import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import tls from "node:tls";
import { CertificateClient } from "@azure/keyvault-certificates";
import { SecretClient } from "@azure/keyvault-secrets";
import { KeyClient } from "@azure/keyvault-keys";
import { vaultURL, devCredential, uniqueName, expectRestError } from "./env.mjs";

const opts = { disableChallengeResourceVerification: true };

describe("CertificateClient on the default vault with ClientSecretCredential", () => {
  const name = uniqueName("jscert");
  let client;
  let secrets;
  let keys;
  let cert;

  before(() => {
    client = new CertificateClient(vaultURL, devCredential(), opts);
    secrets = new SecretClient(vaultURL, devCredential(), opts);
    keys = new KeyClient(vaultURL, devCredential(), opts);
  });

  it("creates a self-signed certificate and polls it to completion", async () => {
    const poller = await client.beginCreateCertificate(name, {
      issuerName: "Self",
      subject: "CN=js.contoso.test",
      subjectAlternativeNames: { dnsNames: ["localhost", "js.contoso.test"] },
      keyType: "RSA",
      keySize: 2048,
      exportable: true,
      contentType: "application/x-pkcs12",
      validityInMonths: 12,
    }, { intervalInMs: 10 });
    cert = await poller.pollUntilDone();
    assert.equal(cert.name, name);
    assert.match(cert.properties.version, /^[0-9a-f]{32}$/);
    const x = new crypto.X509Certificate(Buffer.from(cert.cer));
    assert.equal(x.subject, "CN=js.contoso.test");
    assert.match(x.subjectAltName, /DNS:localhost/);
    assert.ok(x.verify(x.publicKey), "self-signed by its own key");
    assert.equal(Buffer.from(cert.properties.x509Thumbprint).toString("hex"), x.fingerprint.replaceAll(":", "").toLowerCase());
    assert.equal(cert.policy.issuerName, "Self");
  });

  it("exports the PKCS#12 through the secret and serves TLS with it", async () => {
    const secret = await secrets.getSecret(name);
    assert.equal(secret.properties.contentType, "application/x-pkcs12");
    assert.equal(secret.properties.managed, true);
    const pfx = Buffer.from(secret.value, "base64");
    const pem = new crypto.X509Certificate(Buffer.from(cert.cer)).toString();
    const server = tls.createServer({ pfx, passphrase: "" }, (s) => s.end("hello from the vault's certificate"));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const got = await new Promise((resolve, reject) => {
        const sock = tls.connect({ host: "127.0.0.1", port: server.address().port, servername: "localhost", ca: pem }, () => {
          let data = "";
          sock.on("data", (d) => (data += d));
          sock.on("end", () => resolve(data));
        });
        sock.on("error", reject);
      });
      assert.equal(got, "hello from the vault's certificate");
    } finally {
      server.close();
    }
  });

  it("signs with the certificate's key", async () => {
    const key = await keys.getKey(name);
    assert.equal(key.properties.managed, true);
    const crypt = keys.getCryptographyClient(name);
    const data = Buffer.from("signed in the vault");
    const sig = await crypt.signData("RS256", data);
    const x = new crypto.X509Certificate(Buffer.from(cert.cer));
    assert.ok(crypto.verify("sha256", data, x.publicKey, Buffer.from(sig.result)));
  });

  it("updates, lists, manages policy and contacts", async () => {
    const upd = await client.updateCertificateProperties(name, "", { tags: { team: "js" } });
    assert.deepEqual(upd.properties.tags, { team: "js" });
    const names = [];
    for await (const p of client.listPropertiesOfCertificates()) names.push(p.name);
    assert.ok(names.includes(name));
    const policy = await client.getCertificatePolicy(name);
    assert.equal(policy.subject, "CN=js.contoso.test");
    // updateCertificatePolicy's own return value is not filled in by this
    // SDK version (it never reads the response), so read the policy back.
    await client.updateCertificatePolicy(name, { ...policy, validityInMonths: 6 });
    assert.equal((await client.getCertificatePolicy(name)).validityInMonths, 6);
    await client.setContacts([{ email: "pki@contoso.test", name: "PKI" }]);
    const contacts = await client.getContacts();
    assert.equal(contacts[0].email, "pki@contoso.test");
    await client.deleteContacts();
    await expectRestError(client.getCertificate(uniqueName("missing")), 404, "CertificateNotFound");
  });

  it("imports a PKCS#12 exported from another certificate", async () => {
    const secret = await secrets.getSecret(name);
    const imported = await client.importCertificate(uniqueName("jsimp"), Buffer.from(secret.value, "base64"));
    assert.deepEqual(Buffer.from(imported.cer), Buffer.from(cert.cer));
    await expectRestError(client.importCertificate(uniqueName("jsbad"), Buffer.from("not a pfx")), 400, "BadParameter");
  });

  it("keeps an Unknown-issuer certificate pending with a CSR, and cancels it", async () => {
    const pending = uniqueName("jspend");
    const poller = await client.beginCreateCertificate(pending, { issuerName: "Unknown", subject: "CN=pending.test" });
    const op = await client.getCertificateOperation(pending);
    const state = op.getOperationState();
    assert.equal(state.certificateOperation.status, "inProgress");
    assert.ok(state.certificateOperation.csr.length > 100);
    await poller.cancelOperation();
    const after = await client.getCertificateOperation(pending);
    assert.equal(after.getOperationState().certificateOperation.status, "cancelled");
  });

  it("deletes and recovers; purge is refused under purge protection", async () => {
    const del = await client.beginDeleteCertificate(name, { intervalInMs: 10 });
    const deleted = await del.pollUntilDone();
    assert.equal(deleted.name, name);
    await expectRestError(secrets.getSecret(name), 404, "SecretNotFound");
    await expectRestError(client.purgeDeletedCertificate(name), 403, "Forbidden");
    const rec = await client.beginRecoverDeletedCertificate(name, { intervalInMs: 10 });
    await rec.pollUntilDone();
    assert.ok((await secrets.getSecret(name)).value.length > 100, "the secret comes back with the certificate");
  });
});
