package boltstore

// Schema (version 2):
//
//	bucket "meta":    "schema" -> big-endian uint32 schema version
//	bucket "vaults":  <vault name, lower case> -> vault record
//	bucket "keys":    <vault name> 0x00 <key name, lower case> -> key record
//	bucket "objects": <vault name> 0x00 <kind> 0x00 <name, lower case> -> record
//	                  (kinds: "secret", "certificate", "settings")
//
// Vault, key and object names are [0-9a-z-] and kinds are letters, so 0x00
// separates them unambiguously and a cursor seek to "<vault>\x00" lists one
// vault's records in name order.
//
// Version 1 had no "objects" bucket; Open upgrades it in place (the bucket
// is created empty and the version bumped), so a version 1 file still reads.
const schemaVersion uint32 = 2

// schemaV1 is the previous version that Open upgrades.
const schemaV1 uint32 = 1

var (
	bucketMeta    = []byte("meta")
	bucketVaults  = []byte("vaults")
	bucketKeys    = []byte("keys")
	bucketObjects = []byte("objects")
	keySchema     = []byte("schema")
)

func keyKey(vault, key string) []byte {
	b := make([]byte, 0, len(vault)+1+len(key))
	b = append(b, vault...)
	b = append(b, 0)
	return append(b, key...)
}

func objectKey(vault, kind, name string) []byte {
	b := make([]byte, 0, len(vault)+len(kind)+len(name)+2)
	b = append(b, vault...)
	b = append(b, 0)
	b = append(b, kind...)
	b = append(b, 0)
	return append(b, name...)
}

func vaultPrefix(vault string) []byte { return append([]byte(vault), 0) }
