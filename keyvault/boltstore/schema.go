package boltstore

// Schema (version 1):
//
//	bucket "meta":   "schema" -> big-endian uint32 schema version
//	bucket "vaults": <vault name, lower case> -> vault record
//	bucket "keys":   <vault name> 0x00 <key name, lower case> -> key record
//
// Vault and key names are [0-9a-z-], so 0x00 separates them unambiguously
// and a cursor seek to "<vault>\x00" lists one vault's keys in name order.
const schemaVersion uint32 = 1

var (
	bucketMeta   = []byte("meta")
	bucketVaults = []byte("vaults")
	bucketKeys   = []byte("keys")
	keySchema    = []byte("schema")
)

func keyKey(vault, key string) []byte {
	b := make([]byte, 0, len(vault)+1+len(key))
	b = append(b, vault...)
	b = append(b, 0)
	return append(b, key...)
}

func vaultPrefix(vault string) []byte { return append([]byte(vault), 0) }
