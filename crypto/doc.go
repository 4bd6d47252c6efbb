// Package crypto implements azemu's encryption at rest: keys, small sealed
// secrets (Seal/Open) and the chunked, random-access data-file format
// (Writer/Reader). It imports nothing else from azemu. This comment is the
// format specification; the code follows it byte by byte.
//
// # Key hierarchy
//
//	root key (32 bytes, one per emulator instance; stands in for Microsoft's
//	  │       keys and the vault's HSM)
//	  ├─ seals vault key material and other secrets at rest with Seal
//	  ├─ derives the record key that authenticates metadata records
//	  └─ wraps each account encryption key (AEK) with Seal, when the account's
//	     key source is Microsoft.Storage
//	vault key (RSA, in keyvault)
//	  └─ wraps the AEK with RSA-OAEP-256 (wrapKey), when the key source is
//	     Microsoft.Keyvault (customer-managed key); that wrapping is done by
//	     keyvault, not by this package
//	AEK (32 random bytes per storage account or encryption scope, never
//	  │  stored unwrapped; a customer-provided key takes its place for CPK)
//	  └─ data key per data file = HKDF-SHA256(AEK, salt, info), see below
//
// Changing the key source or rotating the vault key re-wraps the AEK only; no
// data file is re-encrypted. A Key prints as "[REDACTED]" under fmt and slog.
//
// # Sealed secrets (Seal/Open), version 1
//
//	offset  size  field
//	0       1     version = 0x01
//	1       12    nonce, random (crypto/rand) per Seal call
//	13      n     AES-256-GCM ciphertext of the n plaintext bytes
//	13+n    16    GCM tag
//
// The key is used directly as the AES-256 key. The GCM associated data is the
// version byte followed by the caller's aad, so neither can be changed or
// swapped. Callers bind context through aad (for example the account name for
// a wrapped AEK). Random 96-bit nonces keep the collision risk negligible up to
// about 2^32 messages per key, far more than azemu seals under any one key.
//
// # Data files, format version 1
//
// Blob and file contents are stored in write-once data files: a 64-byte
// header, then the plaintext in chunks sealed with AES-256-GCM in the STREAM
// construction (Hoang, Reyhanitabar, Rogaway, Vizár: "Online
// Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance").
//
// Header (all integers big-endian):
//
//	offset  size  field
//	0       4     magic "AZEF" (0x41 0x5A 0x45 0x46), the same in every version
//	4       1     format version = 0x01
//	5       3     reserved, must be zero
//	8       4     chunk size = 65536 (uint32; the only value version 1 allows)
//	12      16    key id: names the AEK (opaque to this package)
//	28      32    HKDF salt, random (crypto/rand) per file
//	60      4     reserved, must be zero
//	64            first chunk
//
// Data key: HKDF-SHA256 (RFC 5869, crypto/hkdf) with
//
//	secret = AEK (32 bytes)
//	salt   = header bytes 28..59
//	info   = "azemu data-file key" (19 ASCII bytes) || format version (1 byte) || file id (16 bytes)
//	length = 32 bytes → AES-256-GCM key
//
// A fresh salt per file gives every file its own key, so chunk counters can
// start at zero in every file without ever repeating a (key, nonce) pair, and
// a file rewritten under the same id still gets a new key.
//
// Chunks: the plaintext is cut into chunks of 65536 bytes; the final chunk
// holds the remaining 1..65536 bytes, or 0 bytes for an empty file (a data
// file always has at least one chunk, so an empty file is authenticated too).
// Chunk i (counting from 0) is stored as
//
//	AES-256-GCM(data key, nonce_i, plaintext_i, aad) = ciphertext_i (len(plaintext_i) bytes) || tag_i (16 bytes)
//
// with no per-chunk framing: chunk i starts at offset 64 + i*65552. The nonce
// is not stored:
//
//	nonce_i = i as an 11-byte big-endian unsigned integer || last flag (1 byte)
//	last flag = 0x01 for the final chunk, 0x00 for every other chunk
//
// and the associated data of every chunk is
//
//	aad = the 64 header bytes || file id (16 bytes)   (80 bytes)
//
// So any changed header bit, a chunk moved to another position or another
// file, a dropped or duplicated chunk, and a file cut at a chunk boundary (its
// new last chunk was sealed with flag 0x00) all fail authentication. A file of
// P plaintext bytes with N = max(1, ceil(P/65536)) chunks is exactly
// 64 + P + 16*N bytes long (CiphertextSize); the reader derives N and the final
// chunk's position from the stored length, so appended bytes fail as well.
//
// Reading: NewReader parses the header, derives the data key and
// authenticates the final chunk before it returns, so truncation and appended
// bytes are caught on open. ReadAt then reads and authenticates only the
// chunks that the requested range covers and returns only authenticated
// bytes. Failures wrap the sentinels ErrAuthFailed, ErrTruncated (too short,
// or provably cut at a chunk boundary), ErrUnsupportedVersion and
// ErrMalformedHeader; a cut inside a chunk cannot be told from corruption and
// is reported as ErrAuthFailed.
//
// # Authenticated records, version 1
//
// Metadata records (account, container, blob, block, share and file records
// in bbolt) are not secret as a whole, but they point at sealed data and
// carry security state, so each is bound to where it is stored. RecordAuth
// wraps a stored value as
//
//	offset  size  field
//	0       1     magic 0xA7 (no unauthenticated record starts with it:
//	              JSON starts with '{', binary records with a small tag)
//	1       1     version = 0x01
//	2       n     the record, as its own codec encodes it
//	2+n     32    HMAC-SHA256 tag
//
// with
//
//	record key = HKDF-SHA256(secret = root key, salt = none,
//	             info = "azemu metadata record authentication key v1"), 32 bytes
//	tag        = HMAC-SHA256(record key, 0xA7 || 0x01 || uvarint(number of path parts)
//	             || for each part: uvarint(len) || part || the record)
//
// where the path is the record's own location (bucket name, then key), as
// hashicorp/vault's barrier binds each entry to its path. An edited record,
// one moved to another key or bucket, and two records swapped all fail
// (ErrAuthFailed); a value without the envelope is ErrUnauthenticated. The
// tag does not hide the record; what must stay secret inside it (user
// metadata, keys) is sealed with Seal as well.
//
// # Versions and compatibility
//
// Every format version ever written stays readable: a data file or sealed
// secret written by any released azemu opens in every later one. Both formats
// start with a version byte (data files after the 4-byte magic, which never
// changes) and readers dispatch on it: ReadHeader/NewReader and Open switch on
// the version and call that version's parser, which owns its own layout, key
// derivation and chunk rules. A new format gets a new version number and a new
// case beside the old ones; an existing case is never changed. Writers always
// write the newest version (FormatVersion, SealVersion1). Unknown versions
// fail with ErrUnsupportedVersion, never with a guess. Any change to a format
// adds a test that data in the old format still reads.
package crypto
