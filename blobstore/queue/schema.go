package queue

import (
	"encoding/binary"
	"errors"
)

// SchemaVersion is the version of queue.db this build writes and reads;
// Open fails with ErrSchemaVersion for any other.
const SchemaVersion uint32 = 1

// DBFile is the name of the queue database in the data folder.
const DBFile = "queue.db"

// Buckets. Every key starts with readable names so a cursor scan lists in
// the order Azure lists; numbers are fixed-width big-endian.
var (
	// bucketMeta: "schema" → uint32 SchemaVersion.
	bucketMeta = []byte("meta")
	// bucketProps: account → JSON Queue service properties.
	bucketProps = []byte("props")
	// bucketQueues: account 0x00 queue → JSON queueRec.
	bucketQueues = []byte("queues")
	// bucketCounts: account 0x00 queue → uint64 number of messages
	// (x-ms-approximate-messages-count).
	bucketCounts = []byte("counts")
	// bucketMessages: account 0x00 queue 0x00 message id (16 bytes) →
	// message record (msgRec, binary).
	bucketMessages = []byte("messages")
	// bucketVisible: account 0x00 queue 0x00 visibleAt (8) seq (8) →
	// message id (16). Get and Peek Messages scan it from the start and stop
	// at the first message not yet visible.
	bucketVisible = []byte("visible")
	// bucketExpiry: expiresAt (8) seq (8) → account 0x00 queue 0x00 message
	// id. Sweep scans it from the start and stops at the first message not
	// yet expired.
	bucketExpiry = []byte("expiry")
	// bucketServiceKeys: account → the account's Microsoft-managed queue
	// key, sealed by the caller (Keys implementations keep it here so it
	// goes with the account's queues); opaque to this package.
	bucketServiceKeys = []byte("servicekeys")
)

var keySchema = []byte("schema")

// ErrSchemaVersion means queue.db was written by an incompatible build.
var ErrSchemaVersion = errors.New("queue: unsupported schema version")

const sep = 0x00

// queueKey is account 0x00 queue. Names never hold 0x00 (account and queue
// names are lowercase letters, digits and hyphens).
func queueKey(account, queue string) []byte {
	k := make([]byte, 0, len(account)+1+len(queue))
	k = append(k, account...)
	k = append(k, sep)
	return append(k, queue...)
}

// accountPrefix is the prefix of every queue key of account.
func accountPrefix(account string) []byte { return append([]byte(account), sep) }

// messagePrefix is the prefix of every message (and visible index) key of
// a queue: account 0x00 queue 0x00.
func messagePrefix(qk []byte) []byte {
	return append(append(make([]byte, 0, len(qk)+1), qk...), sep)
}

func messageKey(qk []byte, id msgID) []byte {
	return append(messagePrefix(qk), id[:]...)
}

func visibleKey(qk []byte, visibleAt int64, seq uint64) []byte {
	k := messagePrefix(qk)
	k = binary.BigEndian.AppendUint64(k, clampTime(visibleAt))
	return binary.BigEndian.AppendUint64(k, seq)
}

func expiryKey(expiresAt int64, seq uint64) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 16), clampTime(expiresAt))
	return binary.BigEndian.AppendUint64(k, seq)
}

// clampTime maps Unix nanoseconds to a sortable unsigned value (times
// before 1970 sort first).
func clampTime(ns int64) uint64 {
	if ns < 0 {
		return 0
	}
	return uint64(ns)
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
