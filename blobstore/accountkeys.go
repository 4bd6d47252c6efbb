package blobstore

import (
	"encoding/json"
	"fmt"

	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/crypto"
)

// Account records, version 2: the shared keys (key1, key2) are sealed with
// the root key (crypto.Seal, associated data "azemu account keys" 0x00 and
// the account name) in SealedKeys, as the AEK is; version 1 kept them in
// Keys in clear (base64 in the JSON). Version 1 records still read, and Open
// rewrites them as version 2 (migrateAccountKeys), so after the first start
// of this version no data folder holds an account key in clear.
const accountRecVersion = 2

// keysAAD binds sealed shared keys to their account: a sealed value moved to
// another account's record does not open.
func keysAAD(account string) []byte { return []byte("azemu account keys\x00" + account) }

// decodeAccount decodes an account record of either version and opens its
// sealed keys into rec.Keys.
func (s *Service) decodeAccount(b []byte) (*accountRec, error) {
	rec := new(accountRec)
	if err := json.Unmarshal(b, rec); err != nil {
		return nil, fmt.Errorf("blobstore: decode account record: %w", err)
	}
	switch rec.V {
	case RecordVersion: // 1: keys in clear
	case accountRecVersion:
		raw, err := crypto.Open(s.cfg.RootKey, rec.SealedKeys, keysAAD(rec.Name))
		if err != nil {
			return nil, fmt.Errorf("blobstore: account %s: open shared keys: %w", rec.Name, err)
		}
		if err := json.Unmarshal(raw, &rec.Keys); err != nil {
			return nil, fmt.Errorf("blobstore: account %s: decode shared keys: %w", rec.Name, err)
		}
		rec.SealedKeys = nil
	default:
		return nil, fmt.Errorf("blobstore: account record version %d unsupported", rec.V)
	}
	return rec, nil
}

// putAccount stores rec as a version 2 record: its shared keys sealed, never
// in clear.
func (s *Service) putAccount(tx *boltstore.Tx, rec *accountRec) error {
	raw, err := json.Marshal(rec.Keys)
	if err != nil {
		return err
	}
	sealedKeys, err := crypto.Seal(s.cfg.RootKey, raw, keysAAD(rec.Name))
	if err != nil {
		return err
	}
	out := *rec
	out.V, out.Keys, out.SealedKeys = accountRecVersion, nil, sealedKeys
	return putRec(tx.PutAccount, rec.Name, &out)
}

// migrateAccountKeys rewrites every version 1 account record (keys in
// clear) as version 2. It runs on Open, in one transaction.
func (s *Service) migrateAccountKeys() (int, error) {
	n := 0
	err := s.st.Update(func(tx *boltstore.Tx) error {
		var old []*accountRec
		err := tx.ForEachAccount(func(_ string, b []byte) error {
			if sealedRecord(b) {
				return nil // opened when used: a wrong root key fails there
			}
			rec, err := s.decodeAccount(b)
			if err != nil {
				return err
			}
			old = append(old, rec)
			return nil
		})
		if err != nil {
			return err
		}
		for _, rec := range old {
			if err := s.putAccount(tx, rec); err != nil {
				return err
			}
		}
		n = len(old)
		return nil
	})
	return n, err
}

// sealedRecord reports whether an encoded account record is version 2.
func sealedRecord(b []byte) bool {
	var v struct{ V int }
	return json.Unmarshal(b, &v) == nil && v.V == accountRecVersion
}
