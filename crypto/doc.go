// Package crypto implements azemu's envelope encryption: keys, small sealed
// secrets (Seal/Open) and the chunked, random-access data-file format
// (Writer/Reader). The byte-level format is documented in this file.
package crypto
