package keyvault

import (
	"context"
	"strings"
)

// usable finds a key version for a cryptographic operation and applies the
// rules in Key Vault's order: vault, permission, key (404), version (404),
// disabled (403 KeyDisabled), key_ops (403 KeyOperationForbidden), and for
// encrypt/wrapKey/sign the nbf/exp window (403). Caller holds s.mu.
func (s *Service) usable(c Caller, vault, name, version, perm, op string) (*vaultState, *keyState, *keyVersion, error) {
	v, k, err := s.lookup(c, vault, name, perm)
	if err != nil {
		return nil, nil, nil, err
	}
	kv, err := findVersion(k, name, version)
	if err != nil {
		return nil, nil, nil, err
	}
	if !kv.enabled {
		return nil, nil, nil, ErrKeyDisabled.withMessage("Operation %s is not allowed on a disabled key.", op)
	}
	allowed := false
	for _, o := range kv.keyOps {
		allowed = allowed || strings.EqualFold(o, op)
	}
	if !allowed {
		return nil, nil, nil, ErrKeyOperationForbidden.withMessage("Operation %s is not permitted on this key.", op)
	}
	if op == OpEncrypt || op == OpWrapKey || op == OpSign {
		now := s.clock()
		if kv.nbf != nil && now.Before(*kv.nbf) {
			return nil, nil, nil, ErrKeyNotValidNow.withMessage("Operation %s is not allowed on a key that is not yet valid.", op)
		}
		if kv.exp != nil && !now.Before(*kv.exp) {
			return nil, nil, nil, ErrKeyNotValidNow.withMessage("Operation %s is not allowed on an expired key.", op)
		}
	}
	return v, k, kv, nil
}

// prepare runs usable under the read lock and returns what the operation
// needs; the RSA/EC work then runs without the lock on the immutable version.
func (s *Service) prepare(c Caller, ref KeyRef, perm, op string) (KeyOperationResult, keyPair, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, k, kv, err := s.usable(c, ref.Vault, ref.Name, ref.Version, perm, op)
	if err != nil {
		return KeyOperationResult{}, nil, err
	}
	return KeyOperationResult{Vault: v.v.Name, Name: k.name, Version: kv.version}, kv.kp, nil
}

func checkOpParams(p KeyOperationParams) error {
	if p.Algorithm == "" {
		return badParam("The algorithm (alg) is required.")
	}
	if p.Value == nil {
		return badParam("The value is required.")
	}
	if len(p.IV) > 0 || len(p.Tag) > 0 || len(p.AAD) > 0 {
		return badParam("iv, aad and tag are only supported with symmetric keys (Managed HSM).")
	}
	return nil
}

// Encrypt encrypts p.Value with the public key (permission encrypt; RSA1_5,
// RSA-OAEP, RSA-OAEP-256).
func (s *Service) Encrypt(_ context.Context, c Caller, ref KeyRef, p KeyOperationParams) (KeyOperationResult, error) {
	return s.rsaOp(c, ref, PermEncrypt, OpEncrypt, p, true)
}

// Decrypt decrypts p.Value (permission decrypt).
func (s *Service) Decrypt(_ context.Context, c Caller, ref KeyRef, p KeyOperationParams) (KeyOperationResult, error) {
	return s.rsaOp(c, ref, PermDecrypt, OpDecrypt, p, false)
}

// WrapKey wraps key material with the public key (permission wrapKey). This
// is what the storage CMK key provider calls, with the storage account's
// managed identity as Caller. The result names the version used.
func (s *Service) WrapKey(_ context.Context, c Caller, ref KeyRef, alg string, data []byte) (KeyOperationResult, error) {
	return s.rsaOp(c, ref, PermWrapKey, OpWrapKey, KeyOperationParams{Algorithm: alg, Value: data}, true)
}

// UnwrapKey unwraps key material (permission unwrapKey). Works on expired or
// not-yet-valid keys, as Azure does; refused on disabled or deleted keys.
func (s *Service) UnwrapKey(_ context.Context, c Caller, ref KeyRef, alg string, data []byte) (KeyOperationResult, error) {
	return s.rsaOp(c, ref, PermUnwrapKey, OpUnwrapKey, KeyOperationParams{Algorithm: alg, Value: data}, false)
}

func (s *Service) rsaOp(c Caller, ref KeyRef, perm, op string, p KeyOperationParams, encrypt bool) (KeyOperationResult, error) {
	if err := checkOpParams(p); err != nil {
		return KeyOperationResult{}, err
	}
	res, kp, err := s.prepare(c, ref, perm, op)
	if err != nil {
		return KeyOperationResult{}, err
	}
	if encrypt {
		res.Value, err = rsaEncrypt(s.rand, kp, p.Algorithm, p.Value)
	} else {
		res.Value, err = rsaDecrypt(s.rand, kp, p.Algorithm, p.Value)
	}
	if err != nil {
		return KeyOperationResult{}, err
	}
	return res, nil
}

// Sign signs a digest (permission sign). RSA: RS256/384/512, PS256/384/512;
// EC: ES256 (P-256), ES384, ES512 (P-521), ES256K (P-256K). EC signatures are
// r||s, each padded to the curve size.
func (s *Service) Sign(_ context.Context, c Caller, ref KeyRef, alg string, digest []byte) (KeyOperationResult, error) {
	if alg == "" || digest == nil {
		return KeyOperationResult{}, badParam("alg and value are required.")
	}
	res, kp, err := s.prepare(c, ref, PermSign, OpSign)
	if err != nil {
		return KeyOperationResult{}, err
	}
	if res.Value, err = signDigest(s.rand, kp, alg, digest); err != nil {
		return KeyOperationResult{}, err
	}
	return res, nil
}

// Verify checks a signature over a digest (permission verify).
func (s *Service) Verify(_ context.Context, c Caller, ref KeyRef, alg string, digest, signature []byte) (bool, error) {
	if alg == "" || digest == nil || signature == nil {
		return false, badParam("alg, digest and value are required.")
	}
	_, kp, err := s.prepare(c, ref, PermVerify, OpVerify)
	if err != nil {
		return false, err
	}
	return verifyDigest(kp, alg, digest, signature)
}
