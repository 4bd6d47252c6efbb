package keyvault

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	azcrypto "github.com/azemu/azemu/crypto"
)

// Record formats. A vault record is the Vault as JSON. A key record holds
// every version with its public key in clear and its private JWK sealed with
// the root key, associated data sealAAD(vault, key, version).

const recordVersion = 1

type vaultRecord struct {
	Format int   `json:"format"`
	Vault  Vault `json:"vault"`
}

type keyRecord struct {
	Format   int             `json:"format"`
	Name     string          `json:"name"`
	Versions []versionRecord `json:"versions"`
	Deleted  *time.Time      `json:"deleted,omitempty"`
	PurgeAt  *time.Time      `json:"purgeAt,omitempty"`
	Policy   *RotationPolicy `json:"policy,omitempty"`
}

type versionRecord struct {
	Version       string            `json:"version"`
	Kty           string            `json:"kty"`
	KeyOps        []string          `json:"keyOps"`
	Enabled       bool              `json:"enabled"`
	NotBefore     *time.Time        `json:"nbf,omitempty"`
	Expires       *time.Time        `json:"exp,omitempty"`
	Created       time.Time         `json:"created"`
	Updated       time.Time         `json:"updated"`
	Exportable    bool              `json:"exportable,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	ReleasePolicy json.RawMessage   `json:"releasePolicy,omitempty"`
	Public        JSONWebKey        `json:"public"`
	Sealed        []byte            `json:"sealed"`
}

// sealAAD binds sealed key material to its place: a record moved to another
// vault, key or version fails to open.
func sealAAD(vault, key, version string) []byte {
	return []byte("azemu/keyvault/v1/" + strings.ToLower(vault) + "/" + strings.ToLower(key) + "/" + version)
}

// sealVersion seals kp for vault/key/version.
func (s *Service) sealKeyPair(vault, key, version string, kp keyPair) ([]byte, error) {
	pj, err := json.Marshal(privateJWK(kp))
	if err != nil {
		return nil, err
	}
	defer clear(pj)
	return azcrypto.Seal(s.cfg.RootKey, pj, sealAAD(vault, key, version))
}

func (s *Service) openKeyPair(vault, key, version string, sealed []byte) (keyPair, error) {
	pj, err := azcrypto.Open(s.cfg.RootKey, sealed, sealAAD(vault, key, version))
	if err != nil {
		return nil, fmt.Errorf("open key %s/%s/%s: %w", vault, key, version, err)
	}
	defer clear(pj)
	var j JSONWebKey
	if err := json.Unmarshal(pj, &j); err != nil {
		return nil, err
	}
	kp, _, err := parseJWK(j)
	return kp, err
}

func (s *Service) persistVault(ctx context.Context, v *vaultState) error {
	data, err := json.Marshal(vaultRecord{Format: recordVersion, Vault: v.v})
	if err != nil {
		return err
	}
	return s.store.PutVault(ctx, strings.ToLower(v.v.Name), data)
}

func (s *Service) persistKey(ctx context.Context, vault string, k *keyState) error {
	rec := keyRecord{Format: recordVersion, Name: k.name, Deleted: k.deleted, PurgeAt: k.purgeAt, Policy: k.policy}
	for _, kv := range k.versions {
		rec.Versions = append(rec.Versions, versionRecord{
			Version: kv.version, Kty: kv.kty, KeyOps: kv.keyOps, Enabled: kv.enabled, NotBefore: kv.nbf,
			Expires: kv.exp, Created: kv.created, Updated: kv.updated, Exportable: kv.exportable,
			Tags: kv.tags, ReleasePolicy: kv.releasePolicy, Public: kv.pub, Sealed: kv.sealed,
		})
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.store.PutKey(ctx, strings.ToLower(vault), strings.ToLower(k.name), data)
}

func (s *Service) load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.Load(ctx, func(vault, key string, data []byte) error {
		if key == "" {
			var rec vaultRecord
			if err := json.Unmarshal(data, &rec); err != nil {
				return fmt.Errorf("keyvault: vault record %s: %w", vault, err)
			}
			if rec.Format != recordVersion {
				return fmt.Errorf("keyvault: vault record %s: unsupported format %d", vault, rec.Format)
			}
			s.vaults[vault] = &vaultState{v: rec.Vault, gen: s.nextGen(), keys: map[string]*keyState{}, obj: newVaultObjects()}
			return nil
		}
		v, ok := s.vaults[vault]
		if !ok {
			return fmt.Errorf("keyvault: key record %s/%s without vault", vault, key)
		}
		var rec keyRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("keyvault: key record %s/%s: %w", vault, key, err)
		}
		if rec.Format != recordVersion {
			return fmt.Errorf("keyvault: key record %s/%s: unsupported format %d", vault, key, rec.Format)
		}
		k := &keyState{name: rec.Name, deleted: rec.Deleted, purgeAt: rec.PurgeAt, policy: rec.Policy, gen: s.nextGen()}
		for _, vr := range rec.Versions {
			kp, err := s.openKeyPair(vault, key, vr.Version, vr.Sealed)
			if err != nil {
				return fmt.Errorf("keyvault: %w", err)
			}
			k.versions = append(k.versions, &keyVersion{
				version: vr.Version, kty: vr.Kty, keyOps: vr.KeyOps, enabled: vr.Enabled, nbf: vr.NotBefore,
				exp: vr.Expires, created: vr.Created, updated: vr.Updated, exportable: vr.Exportable,
				tags: vr.Tags, releasePolicy: vr.ReleasePolicy, kp: kp, pub: vr.Public, sealed: vr.Sealed,
			})
		}
		v.keys[key] = k
		return nil
	})
}
