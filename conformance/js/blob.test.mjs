// @azure/storage-blob against azemu's Blob endpoint, configured exactly as for
// Azurite: BlobServiceClient.fromConnectionString(<the development account's
// connection string>). Nothing else is needed (plain HTTP on 127.0.0.1).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
  BlobServiceClient,
  BlobClient,
  ContainerClient,
  StorageSharedKeyCredential,
  BlobSASPermissions,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
} from "@azure/storage-blob";
import { blobURL, connectionString, parseConnectionString, uniqueName, expectRestError } from "./env.mjs";

const cs = parseConnectionString(connectionString);

describe("BlobServiceClient.fromConnectionString", () => {
  const containerName = uniqueName("js-blob-");
  let service;
  let container;

  before(async () => {
    service = BlobServiceClient.fromConnectionString(connectionString);
    container = service.getContainerClient(containerName);
  });

  after(async () => {
    if (container) await container.deleteIfExists();
  });

  it("uses the endpoint from the connection string", () => {
    assert.equal(cs.AccountName, "devstoreaccount1");
    assert.equal(cs.BlobEndpoint, `${blobURL}/devstoreaccount1`);
    assert.equal(service.accountName, "devstoreaccount1");
    assert.ok(service.url.startsWith(`${blobURL}/devstoreaccount1`), service.url);
  });

  it("creates a container with metadata and lists it", async () => {
    const res = await container.create({ metadata: { team: "js" } });
    assert.ok(res.etag, "create returns an ETag");
    const props = await container.getProperties();
    assert.deepEqual(props.metadata, { team: "js" });
    assert.equal(props.blobPublicAccess, undefined, "containers are private by default");
    await expectRestError(container.create(), 409, "ContainerAlreadyExists");
    const names = [];
    for await (const c of service.listContainers({ prefix: "js-blob-", includeMetadata: true })) {
      names.push(c.name);
      if (c.name === containerName) assert.deepEqual(c.metadata, { team: "js" });
    }
    assert.ok(names.includes(containerName), `listed: ${names}`);
  });

  it("uploads, downloads and reads properties of a block blob", async () => {
    const blob = container.getBlockBlobClient("docs/hello.txt");
    const body = "hello from @azure/storage-blob";
    const up = await blob.upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: "text/plain; charset=utf-8", blobCacheControl: "no-cache" },
      metadata: { origin: "js", kind: "greeting" },
    });
    assert.ok(up.etag);
    assert.ok(up.contentMD5 && Buffer.from(up.contentMD5).equals(crypto.createHash("md5").update(body).digest()));
    const down = await blob.downloadToBuffer();
    assert.equal(down.toString("utf8"), body);
    const props = await blob.getProperties();
    assert.equal(props.contentLength, Buffer.byteLength(body));
    assert.equal(props.contentType, "text/plain; charset=utf-8");
    assert.equal(props.cacheControl, "no-cache");
    assert.equal(props.blobType, "BlockBlob");
    assert.equal(props.etag, up.etag);
    assert.deepEqual(props.metadata, { origin: "js", kind: "greeting" });
    // a range read
    const part = await blob.download(6, 4);
    assert.equal(part.contentLength, 4);
    assert.equal(part.contentRange, `bytes 6-9/${Buffer.byteLength(body)}`);
    // overwrite protection with If-None-Match: *
    await expectRestError(blob.upload("x", 1, { conditions: { ifNoneMatch: "*" } }), 409, "BlobAlreadyExists");
    await expectRestError(container.getBlobClient("nope.txt").downloadToBuffer(), 404, "BlobNotFound");
    await expectRestError(container.getBlobClient("nope.txt").download(), 404, "BlobNotFound");
  });

  it("replaces metadata", async () => {
    const blob = container.getBlobClient("docs/hello.txt");
    const before = await blob.getProperties();
    const set = await blob.setMetadata({ reviewed: "yes" });
    assert.notEqual(set.etag, before.etag, "metadata change moves the ETag");
    const props = await blob.getProperties();
    assert.deepEqual(props.metadata, { reviewed: "yes" });
    await expectRestError(blob.setMetadata({ a: "b" }, { conditions: { ifMatch: before.etag } }), 412, "ConditionNotMet");
  });

  it("uploads a multi-block blob with uploadData", async () => {
    const data = crypto.randomBytes(5 * 1024 * 1024 + 123);
    const blob = container.getBlockBlobClient("big.bin");
    await blob.uploadData(data, { blockSize: 1024 * 1024, maxSingleShotSize: 1024 * 1024, concurrency: 4 });
    const blocks = await blob.getBlockList("committed");
    assert.equal(blocks.committedBlocks.length, 6);
    const back = await blob.downloadToBuffer();
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data), "downloaded bytes equal uploaded bytes");
  });

  it("lists blobs flat and by hierarchy", async () => {
    const flat = [];
    for await (const b of container.listBlobsFlat({ includeMetadata: true })) {
      flat.push(b.name);
      if (b.name === "docs/hello.txt") assert.deepEqual(b.metadata, { reviewed: "yes" });
    }
    assert.deepEqual(flat, ["big.bin", "docs/hello.txt"]);
    const top = [];
    for await (const item of container.listBlobsByHierarchy("/")) {
      top.push(item.kind === "prefix" ? `prefix:${item.name}` : item.name);
    }
    // the SDK yields a page's prefixes before its blobs
    assert.deepEqual(top, ["prefix:docs/", "big.bin"]);
    const prefixed = [];
    for await (const b of container.listBlobsFlat({ prefix: "docs/" })) prefixed.push(b.name);
    assert.deepEqual(prefixed, ["docs/hello.txt"]);
  });

  it("serves an SDK-generated blob SAS to an anonymous client", async () => {
    const key = new StorageSharedKeyCredential(cs.AccountName, cs.AccountKey);
    const blob = container.getBlobClient("docs/hello.txt");
    const startsOn = new Date(Date.now() - 5 * 60 * 1000);
    const expiresOn = new Date(Date.now() + 60 * 60 * 1000);
    const sas = generateBlobSASQueryParameters(
      { containerName, blobName: "docs/hello.txt", permissions: BlobSASPermissions.parse("r"), startsOn, expiresOn },
      key,
    ).toString();
    assert.match(sas, /(^|&)sig=/);
    const anon = new BlobClient(`${blob.url}?${sas}`);
    assert.equal((await anon.downloadToBuffer()).toString("utf8"), "hello from @azure/storage-blob");
    // read-only SAS: writing is refused
    const anonWrite = new ContainerClient(`${container.url}?${sas}`).getBlockBlobClient("docs/hello.txt");
    await expectRestError(anonWrite.upload("x", 1), 403, "AuthorizationPermissionMismatch");
    // a tampered signature is refused
    const forged = new BlobClient(`${blob.url}?${sas.replace(/sig=[^&]+/, "sig=" + encodeURIComponent(Buffer.alloc(32).toString("base64")))}`);
    await expectRestError(forged.downloadToBuffer(), 403, "AuthenticationFailed");
    // no credential at all: the private container hides the blob
    await expectRestError(new BlobClient(blob.url).downloadToBuffer(), 404, "ResourceNotFound");

    // the client helper (client built from the connection string holds the key)
    const url = await container.getBlobClient("big.bin").generateSasUrl({ permissions: BlobSASPermissions.parse("r"), expiresOn });
    const props = await new BlobClient(url).getProperties();
    assert.equal(props.contentLength, 5 * 1024 * 1024 + 123);

    // container SAS with list permission
    const csas = generateBlobSASQueryParameters(
      { containerName, permissions: ContainerSASPermissions.parse("rl"), startsOn, expiresOn },
      key,
    ).toString();
    const listed = [];
    for await (const b of new ContainerClient(`${container.url}?${csas}`).listBlobsFlat()) listed.push(b.name);
    assert.deepEqual(listed, ["big.bin", "docs/hello.txt"]);
  });

  it("deletes a blob and the container", async () => {
    await container.getBlobClient("big.bin").delete();
    await expectRestError(container.getBlobClient("big.bin").getProperties(), 404);
    await container.delete();
    await expectRestError(container.getProperties(), 404, "ContainerNotFound");
  });
});

describe("Blob features applications commonly use", () => {
  const containerName = uniqueName("js-more-");
  let container;

  before(async () => {
    container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
    await container.create();
  });

  after(async () => {
    if (container) await container.deleteIfExists();
  });

  it("exists, createIfNotExists, deleteIfExists", async () => {
    assert.equal(await container.exists(), true);
    const again = await container.createIfNotExists();
    assert.equal(again.succeeded, false);
    const blob = container.getBlockBlobClient("e.txt");
    assert.equal(await blob.exists(), false);
    await blob.upload("e", 1);
    assert.equal(await blob.exists(), true);
    assert.equal((await blob.deleteIfExists()).succeeded, true);
    assert.equal((await blob.deleteIfExists()).succeeded, false);
  });

  it("uploads a stream and sets HTTP headers", async () => {
    const { Readable } = await import("node:stream");
    const data = crypto.randomBytes(2 * 1024 * 1024 + 5);
    const blob = container.getBlockBlobClient("stream.bin");
    await blob.uploadStream(Readable.from([data.subarray(0, 1000000), data.subarray(1000000)]), 512 * 1024, 3);
    assert.ok((await blob.downloadToBuffer()).equals(data));
    await blob.setHTTPHeaders({ blobContentType: "application/octet-stream", blobContentDisposition: "attachment" });
    const p = await blob.getProperties();
    assert.equal(p.contentType, "application/octet-stream");
    assert.equal(p.contentDisposition, "attachment");
  });

  it("copies a blob within the account", async () => {
    const src = container.getBlockBlobClient("copy-src.txt");
    await src.upload("copy me", 7, { metadata: { a: "1" } });
    const dst = container.getBlobClient("copy-dst.txt");
    const poller = await dst.beginCopyFromURL(src.url, { intervalInMs: 50 });
    const res = await poller.pollUntilDone();
    assert.equal(res.copyStatus, "success");
    assert.equal((await dst.downloadToBuffer()).toString(), "copy me");
    assert.deepEqual((await dst.getProperties()).metadata, { a: "1" });
  });

  it("snapshots a blob", async () => {
    const blob = container.getBlockBlobClient("snap.txt");
    await blob.upload("v1", 2);
    const snap = await blob.createSnapshot();
    assert.ok(snap.snapshot);
    await blob.upload("v2", 2);
    assert.equal((await blob.withSnapshot(snap.snapshot).downloadToBuffer()).toString(), "v1");
    assert.equal((await blob.downloadToBuffer()).toString(), "v2");
    const seen = [];
    for await (const b of container.listBlobsFlat({ prefix: "snap", includeSnapshots: true })) seen.push(b.snapshot ?? "");
    assert.equal(seen.length, 2);
  });

  it("leases a blob", async () => {
    const blob = container.getBlockBlobClient("lease.txt");
    await blob.upload("l", 1);
    const lc = blob.getBlobLeaseClient();
    const acq = await lc.acquireLease(15);
    assert.equal(acq.leaseId, lc.leaseId);
    await expectRestError(blob.upload("x", 1), 412, "LeaseIdMissing");
    await blob.upload("y", 1, { conditions: { leaseId: lc.leaseId } });
    await lc.releaseLease();
    await blob.upload("z", 1);
  });

  it("appends to an append blob", async () => {
    const ab = container.getAppendBlobClient("log.txt");
    await ab.create();
    await ab.appendBlock("one\n", 4);
    await ab.appendBlock("two\n", 4);
    assert.equal((await ab.downloadToBuffer()).toString(), "one\ntwo\n");
    const props = await ab.getProperties();
    assert.equal(props.blobType, "AppendBlob");
    assert.equal(props.blobCommittedBlockCount, 2);
  });

  it("uses a stored access policy through a SAS", async () => {
    const key = new StorageSharedKeyCredential(cs.AccountName, cs.AccountKey);
    const now = Date.now();
    await container.setAccessPolicy(undefined, [
      { id: "readers", accessPolicy: { startsOn: new Date(now - 60000), expiresOn: new Date(now + 3600000), permissions: "rl" } },
    ]);
    const acl = await container.getAccessPolicy();
    assert.equal(acl.signedIdentifiers.length, 1);
    assert.equal(acl.signedIdentifiers[0].id, "readers");
    assert.equal(acl.signedIdentifiers[0].accessPolicy.permissions, "rl");
    await container.getBlockBlobClient("policy.txt").upload("p", 1);
    const sas = generateBlobSASQueryParameters({ containerName, identifier: "readers" }, key).toString();
    const anon = new ContainerClient(`${container.url}?${sas}`);
    assert.equal((await anon.getBlobClient("policy.txt").downloadToBuffer()).toString(), "p");
  });
});
