// Entry point used by conformance/js_test.go: one Node process runs every
// check (node:test, no extra framework), so a timeout kills everything at once.
// A single file also runs on its own: node --test-reporter=spec blob.test.mjs
import "./identity.test.mjs";
import "./keyvault.test.mjs";
import "./secrets.test.mjs";
import "./certificates.test.mjs";
import "./blob.test.mjs";
import "./files.test.mjs";
import "./queue.test.mjs";
