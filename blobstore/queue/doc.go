// Package queue holds the rules and the persistence of Azure Queue Storage:
// queues with metadata and stored access policies, messages with
// visibility timeouts, time-to-live, dequeue counts and pop receipts, and
// the Queue service properties of each account.
//
// # What is sealed
//
// Message bodies and queue metadata are user data: they are sealed with
// AES-256-GCM (crypto.Seal) under the key Keys.SealKey returns for the
// account, with associated data that binds each record to its account, queue
// and message id, so a sealed body moved to another message fails to open.
// Account and queue names, message ids, times, dequeue counts, pop receipts
// and stored access policies stay readable: they are what listing and
// scanning need, and none of them is user content.
//
// # Customer-managed keys
//
// Keys.SealKey decides whether an account's queue data follows its
// customer-managed key (encryption.services.queue.keyType "Account") or stays
// under a Microsoft-managed key ("Service", Azure's default). Operations that
// read or write message bodies or queue metadata call it and fail with its
// error (403 KeyVaultEncryptionKeyNotFound, ...) while the key is revoked:
// Put, Get, Peek and Update Message, Create Queue with metadata, Get and
// Set Queue Metadata, List Queues with include=metadata. The others (Delete
// and Clear Messages, Delete Queue, List Queues, ACLs, service properties)
// keep working, as Azure documents for the Blob and File operations that do
// not touch user data
// (https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview).
//
// # Delivery
//
// Delivery is at least once. Get Messages commits each message's new pop
// receipt, visibility and dequeue count in one bbolt transaction before it
// answers, so a pop receipt is never handed out twice and a crash after the
// answer cannot make a message visible early. Visibility and expiry follow
// Config.Now, the emulator clock: tests advance it instead of sleeping.
//
// REST reference: https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api
package queue
