// @azure/storage-file-share against azemu's Files endpoint, configured as for
// Azurite: ShareServiceClient.fromConnectionString(<connection string with FileEndpoint>).

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
  ShareServiceClient,
  ShareFileClient,
  StorageSharedKeyCredential,
  FileSASPermissions,
  generateFileSASQueryParameters,
} from "@azure/storage-file-share";
import {
  fileURL,
  connectionString,
  parseConnectionString,
  uniqueName,
  expectRestError,
  localhostHTTPAgent,
} from "./env.mjs";

const cs = parseConnectionString(connectionString);

describe("ShareServiceClient.fromConnectionString", () => {
  const shareName = uniqueName("js-share-");
  let service;
  let share;
  // Set when the Files endpoint answers 501: the checks below then skip.
  let notImplemented = "";

  before(async () => {
    service = ShareServiceClient.fromConnectionString(connectionString);
    share = service.getShareClient(shareName);
    try {
      await share.create({ metadata: { team: "js" }, quota: 5 });
    } catch (err) {
      if (err.statusCode === 501) {
        notImplemented = `Files endpoint answered 501 ${err.code ?? ""}`;
        return;
      }
      throw err;
    }
  });

  after(async () => {
    if (share && !notImplemented) await share.deleteIfExists();
  });

  it("uses the endpoint from the connection string", () => {
    assert.equal(cs.FileEndpoint, `${fileURL}/devstoreaccount1`);
    assert.ok(service.url.startsWith(`${fileURL}/devstoreaccount1`), service.url);
  });

  it("created the share with metadata and quota", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const props = await share.getProperties();
    assert.deepEqual(props.metadata, { team: "js" });
    assert.equal(props.quota, 5);
    await expectRestError(share.create(), 409, "ShareAlreadyExists");
    const names = [];
    for await (const s of service.listShares({ prefix: "js-share-" })) names.push(s.name);
    assert.ok(names.includes(shareName), `listed: ${names}`);
  });

  it("creates a directory and uploads, downloads a file", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const dir = share.getDirectoryClient("docs");
    await dir.create({ metadata: { kind: "folder" } });
    assert.deepEqual((await dir.getProperties()).metadata, { kind: "folder" });

    const file = dir.getFileClient("hello.txt");
    const body = Buffer.from("hello from @azure/storage-file-share");
    await file.create(body.length, { fileHttpHeaders: { fileContentType: "text/plain" }, metadata: { origin: "js" } });
    const range = await file.uploadRange(body, 0, body.length);
    assert.ok(range.etag);
    const down = await file.downloadToBuffer();
    assert.ok(down.equals(body), `downloaded ${JSON.stringify(down.toString())}`);
    const props = await file.getProperties();
    assert.equal(props.contentLength, body.length);
    assert.equal(props.contentType, "text/plain");
    assert.deepEqual(props.metadata, { origin: "js" });
    const part = await file.download(6, 4);
    assert.equal(part.contentLength, 4);
    assert.equal(part.contentRange, `bytes 6-9/${body.length}`);

    await file.setMetadata({ reviewed: "yes" });
    assert.deepEqual((await file.getProperties()).metadata, { reviewed: "yes" });
    await expectRestError(dir.getFileClient("nope.txt").downloadToBuffer(), 404, "ResourceNotFound");
  });

  it("uploads a multi-range file with uploadData", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const data = crypto.randomBytes(3 * 1024 * 1024 + 7);
    const file = share.getDirectoryClient("docs").getFileClient("big.bin");
    await file.uploadData(data, { rangeSize: 1024 * 1024, concurrency: 4 });
    const back = await file.downloadToBuffer();
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data), "downloaded bytes equal uploaded bytes");
  });

  it("lists files and directories", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const root = [];
    for await (const item of share.rootDirectoryClient.listFilesAndDirectories()) root.push(`${item.kind}:${item.name}`);
    assert.deepEqual(root, ["directory:docs"]);
    const docs = [];
    for await (const item of share.getDirectoryClient("docs").listFilesAndDirectories()) {
      docs.push(`${item.kind}:${item.name}`);
    }
    assert.deepEqual(docs.sort(), ["file:big.bin", "file:hello.txt"]);
  });

  it("serves an SDK-generated file SAS to an anonymous client", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const key = new StorageSharedKeyCredential(cs.AccountName, cs.AccountKey);
    const file = share.getDirectoryClient("docs").getFileClient("hello.txt");
    const sas = generateFileSASQueryParameters(
      {
        shareName,
        filePath: "docs/hello.txt",
        permissions: FileSASPermissions.parse("r"),
        startsOn: new Date(Date.now() - 5 * 60 * 1000),
        expiresOn: new Date(Date.now() + 60 * 60 * 1000),
      },
      key,
    ).toString();
    const anon = new ShareFileClient(`${file.url}?${sas}`);
    assert.equal((await anon.downloadToBuffer()).toString("utf8"), "hello from @azure/storage-file-share");
    await expectRestError(anon.uploadRange(Buffer.from("x"), 0, 1), 403, "AuthorizationPermissionMismatch");
  });

  it("deletes files, the directory and the share", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const dir = share.getDirectoryClient("docs");
    await expectRestError(dir.delete(), 409, "DirectoryNotEmpty");
    await dir.deleteFile("hello.txt");
    await dir.deleteFile("big.bin");
    await dir.delete();
    await share.delete();
    await expectRestError(share.getProperties(), 404, "ShareNotFound");
  });
});

describe("Files features applications commonly use", () => {
  const shareName = uniqueName("js-fmore-");
  let share;
  let notImplemented = "";

  before(async () => {
    share = ShareServiceClient.fromConnectionString(connectionString).getShareClient(shareName);
    try {
      await share.create();
    } catch (err) {
      if (err.statusCode === 501) {
        notImplemented = `Files endpoint answered 501 ${err.code ?? ""}`;
        return;
      }
      throw err;
    }
  });

  after(async () => {
    if (share && !notImplemented) await share.deleteIfExists({ deleteSnapshots: "include" });
  });

  it("createIfNotExists and exists on directories and files", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const dir = share.getDirectoryClient("a");
    assert.equal((await dir.createIfNotExists()).succeeded, true);
    assert.equal((await dir.createIfNotExists()).succeeded, false);
    const sub = dir.getDirectoryClient("b");
    await sub.create();
    assert.equal(await sub.exists(), true);
    assert.equal(await sub.getFileClient("none").exists(), false);
  });

  it("resizes a file, writes and clears ranges", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const file = share.getDirectoryClient("a").getFileClient("ranges.bin");
    await file.create(1024);
    await file.uploadRange(Buffer.alloc(512, 9), 512, 512);
    const ranges = await file.getRangeList();
    assert.deepEqual(ranges.rangeList.map((r) => [r.start, r.end]), [[512, 1023]]);
    await file.clearRange(512, 512);
    assert.deepEqual((await file.getRangeList()).rangeList, []);
    await file.resize(2048);
    assert.equal((await file.getProperties()).contentLength, 2048);
    assert.ok((await file.downloadToBuffer()).equals(Buffer.alloc(2048)));
  });

  // ShareFileClient.rename builds the destination URL as /<share>/<path>: it
  // assumes host-style URLs and drops the account of a path-style
  // (http://127.0.0.1:PORT/devstoreaccount1) URL, on Azurite and azemu alike.
  // azemu serves host style too, so the rename goes through
  // http://devstoreaccount1.file.localhost:PORT.
  it("renames a file (host-style URL)", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const hostStyle = new ShareServiceClient(
      `http://${cs.AccountName}.file.localhost:${new URL(fileURL).port}`,
      new StorageSharedKeyCredential(cs.AccountName, cs.AccountKey),
      { agent: localhostHTTPAgent },
    );
    const file = hostStyle.getShareClient(shareName).getDirectoryClient("a").getFileClient("old.txt");
    await file.uploadData(Buffer.from("renamed"));
    const { destinationFileClient } = await file.rename("a/b/new.txt");
    assert.equal((await destinationFileClient.downloadToBuffer()).toString(), "renamed");
    assert.equal(await file.exists(), false);
  });

  it("copies a file within the account", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const src = share.getDirectoryClient("a").getFileClient("src.txt");
    await src.uploadData(Buffer.from("copy me"));
    const dst = share.getDirectoryClient("a").getFileClient("dst.txt");
    const res = await dst.startCopyFromURL(src.url);
    assert.ok(res.copyStatus === "success" || res.copyStatus === "pending", res.copyStatus);
    assert.equal((await dst.downloadToBuffer()).toString(), "copy me");
  });

  it("snapshots the share", async (t) => {
    if (notImplemented) return t.skip(notImplemented);
    const file = share.getDirectoryClient("a").getFileClient("snap.txt");
    await file.uploadData(Buffer.from("v1"));
    const snap = await share.createSnapshot();
    assert.ok(snap.snapshot);
    await file.uploadData(Buffer.from("v2"));
    const old = share.withSnapshot(snap.snapshot).getDirectoryClient("a").getFileClient("snap.txt");
    assert.equal((await old.downloadToBuffer()).toString(), "v1");
    assert.equal((await file.downloadToBuffer()).toString(), "v2");
  });
});
