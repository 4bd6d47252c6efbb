// @azure/storage-queue against azemu's Queue endpoint, configured exactly as
// for Azurite: QueueServiceClient.fromConnectionString(<the development
// account's connection string>), whose QueueEndpoint names azemu's Queue
// port.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  QueueServiceClient,
  QueueClient,
  StorageSharedKeyCredential,
  QueueSASPermissions,
  generateQueueSASQueryParameters,
} from "@azure/storage-queue";
import { connectionString, parseConnectionString, uniqueName, expectRestError } from "./env.mjs";

const cs = parseConnectionString(connectionString);

describe("QueueServiceClient.fromConnectionString", () => {
  const queueName = uniqueName("js-queue-");
  let service;
  let queue;

  before(async () => {
    service = QueueServiceClient.fromConnectionString(connectionString);
    queue = service.getQueueClient(queueName);
  });

  after(async () => {
    if (queue) await queue.deleteIfExists();
  });

  it("uses the QueueEndpoint of the connection string", () => {
    assert.ok(cs.QueueEndpoint, "the connection string has a QueueEndpoint");
    assert.ok(service.url.startsWith(cs.QueueEndpoint), service.url);
    assert.equal(service.accountName, "devstoreaccount1");
  });

  it("creates a queue with metadata, lists it and refuses other metadata", async () => {
    await queue.create({ metadata: { team: "js" } });
    const again = await queue.create({ metadata: { team: "js" } });
    assert.equal(again._response.status, 204, "same metadata: 204");
    await expectRestError(queue.create({ metadata: { team: "other" } }), 409, "QueueAlreadyExists");
    const names = [];
    for await (const q of service.listQueues({ prefix: "js-queue-", includeMetadata: true })) {
      names.push(q.name);
      if (q.name === queueName) assert.deepEqual(q.metadata, { team: "js" });
    }
    assert.ok(names.includes(queueName), `listed: ${names}`);
  });

  it("sends, peeks, receives, updates and deletes messages", async () => {
    const sent = await queue.sendMessage("hello from @azure/storage-queue");
    assert.ok(sent.messageId);
    assert.ok(sent.popReceipt);
    await queue.sendMessage("second", { messageTimeToLive: -1 });

    const props = await queue.getProperties();
    assert.equal(props.approximateMessagesCount, 2);
    assert.deepEqual(props.metadata, { team: "js" });

    const peeked = await queue.peekMessages({ numberOfMessages: 32 });
    assert.deepEqual(peeked.peekedMessageItems.map((m) => m.messageText), ["hello from @azure/storage-queue", "second"]);
    assert.equal(peeked.peekedMessageItems[1].expiresOn.getUTCFullYear(), 9999);

    const got = await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 60 });
    assert.equal(got.receivedMessageItems.length, 1);
    const m = got.receivedMessageItems[0];
    assert.equal(m.messageId, sent.messageId);
    assert.equal(m.dequeueCount, 1);
    assert.notEqual(m.popReceipt, sent.popReceipt);

    await expectRestError(queue.deleteMessage(m.messageId, sent.popReceipt), 400, "PopReceiptMismatch");
    const upd = await queue.updateMessage(m.messageId, m.popReceipt, "changed", 0);
    assert.ok(upd.popReceipt);
    assert.ok(upd.nextVisibleOn instanceof Date);
    const after = await queue.peekMessages({ numberOfMessages: 32 });
    assert.ok(after.peekedMessageItems.some((x) => x.messageText === "changed"));

    await queue.deleteMessage(m.messageId, upd.popReceipt);
    await expectRestError(queue.deleteMessage(m.messageId, upd.popReceipt), 404, "MessageNotFound");
    await queue.clearMessages();
    assert.equal((await queue.getProperties()).approximateMessagesCount, 0);
  });

  it("takes a service SAS made by the SDK's builder", async () => {
    const cred = new StorageSharedKeyCredential(cs.AccountName, cs.AccountKey);
    const sas = generateQueueSASQueryParameters(
      {
        queueName,
        permissions: QueueSASPermissions.parse("a"),
        expiresOn: new Date(Date.now() + 3600 * 1000),
      },
      cred,
    ).toString();
    const adder = new QueueClient(`${queue.url}?${sas}`);
    await adder.sendMessage("via sas");
    await expectRestError(adder.receiveMessages(), 403, "AuthorizationPermissionMismatch");
    const peeked = await queue.peekMessages();
    assert.equal(peeked.peekedMessageItems[0].messageText, "via sas");
  });

  it("stores service properties and access policies", async () => {
    await service.setProperties({
      cors: [{ allowedOrigins: "https://js.example", allowedMethods: "GET,PUT", allowedHeaders: "*", exposedHeaders: "*", maxAgeInSeconds: 30 }],
    });
    const p = await service.getProperties();
    assert.equal(p.cors.length, 1);
    assert.equal(p.cors[0].allowedOrigins, "https://js.example");
    await service.setProperties({ cors: [] });

    const expiresOn = new Date(Math.floor(Date.now() / 1000) * 1000 + 3600 * 1000);
    await queue.setAccessPolicy([{ id: "p1", accessPolicy: { permissions: "raup", expiresOn } }]);
    const acl = await queue.getAccessPolicy();
    assert.equal(acl.signedIdentifiers.length, 1);
    assert.equal(acl.signedIdentifiers[0].id, "p1");
    assert.equal(acl.signedIdentifiers[0].accessPolicy.permissions, "raup");
  });

  it("answers a missing queue with QueueNotFound", async () => {
    const missing = service.getQueueClient(uniqueName("js-missing-"));
    await expectRestError(missing.getProperties(), 404, "QueueNotFound");
    await expectRestError(missing.sendMessage("x"), 404, "QueueNotFound");
  });
});
