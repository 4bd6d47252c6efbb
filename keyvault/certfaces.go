package keyvault

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"time"
)

// The key and the secret of a certificate: every certificate version has a
// key version and a secret version of the same name and version id. The key
// is usable through the keys API with the key_ops its key usage allows; the
// secret holds the certificate with its private key (PKCS#12 or PEM) when
// the policy makes the key exportable, and without it otherwise
// (https://learn.microsoft.com/azure/key-vault/certificates/about-certificates#composition-of-a-certificate).
// Both are managed: the keys and secrets APIs refuse to change them.

// isManagedName reports whether name is held by a certificate (active or
// deleted). Caller holds s.mu.
func isManagedName(v *vaultState, name string) bool {
	_, ok := v.obj.certs[strings.ToLower(name)]
	return ok
}

// managedKey refuses op on a key that backs a certificate. Caller holds s.mu.
func managedKey(v *vaultState, name, op string) error {
	if isManagedName(v, name) {
		return ErrManagedObject.withMessage("Operation %s is not allowed on key %s: it backs a certificate and is managed through the certificate.", op, name)
	}
	return nil
}

// publishFaces adds the key and secret versions of a new certificate
// version. Caller holds s.mu.
func (s *Service) publishFaces(ctx context.Context, v *vaultState, name string, p CertificatePolicy, cv *certVersion, kp keyPair) error {
	leaf, err := x509.ParseCertificate(cv.der)
	if err != nil {
		return err
	}
	kty := p.KeyProps.Kty
	_, isRSA := kp.(*rsa.PrivateKey)
	nbf, exp := cv.nbf, cv.exp
	kv := &keyVersion{version: cv.version, kty: kty, keyOps: keyOpsFor(leaf.KeyUsage, isRSA), enabled: cv.enabled,
		nbf: &nbf, exp: &exp, created: cv.created, updated: cv.updated, kp: kp, pub: publicJWK(kp)}
	if _, err := s.publishVersion(ctx, v, name, kv); err != nil {
		return err
	}
	exportable := p.KeyProps.Exportable == nil || *p.KeyProps.Exportable
	value, err := renderSecret(p.SecretProps.ContentType, kp, cv.der, cv.chain, exportable)
	if err != nil {
		return err
	}
	sealed, err := s.sealSecret(v.v.Name, name, cv.version, value)
	clear(value)
	if err != nil {
		return err
	}
	sv := &secretVersion{version: cv.version, contentType: p.SecretProps.ContentType, enabled: cv.enabled,
		nbf: &nbf, exp: &exp, created: cv.created, updated: cv.updated, managed: true, sealed: sealed}
	_, err = s.appendSecretVersion(ctx, v, name, sv)
	return err
}

// mirrorEnabled sets the enabled attribute of the key and secret version
// of a certificate version. Caller holds s.mu.
func (s *Service) mirrorEnabled(ctx context.Context, v *vaultState, name, version string, enabled bool) error {
	lname := strings.ToLower(name)
	if k := v.keys[lname]; k != nil {
		for _, kv := range k.versions {
			if kv.version == version && kv.enabled != enabled {
				nkv := *kv
				nkv.enabled, nkv.updated = enabled, s.clock()
				nk := *k
				nk.versions = replaceVersion(k.versions, kv, &nkv)
				if err := s.putKey(ctx, v, &nk); err != nil {
					return err
				}
			}
		}
	}
	if st := v.obj.secrets[lname]; st != nil {
		for _, sv := range st.versions {
			if sv.version == version && sv.enabled != enabled {
				nsv := *sv
				nsv.enabled, nsv.updated = enabled, s.clock()
				nst := *st
				nst.versions = replaceVersion(st.versions, sv, &nsv)
				if err := s.putSecret(ctx, v, &nst); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// setFacesDeleted marks a certificate's key and secret deleted (or, with
// nil dates, active again). Caller holds s.mu.
func (s *Service) setFacesDeleted(ctx context.Context, v *vaultState, name string, deleted, purgeAt *time.Time) error {
	lname := strings.ToLower(name)
	if k := v.keys[lname]; k != nil {
		nk := *k
		nk.deleted, nk.purgeAt = deleted, purgeAt
		if err := s.putKey(ctx, v, &nk); err != nil {
			return err
		}
	}
	if st := v.obj.secrets[lname]; st != nil {
		nst := *st
		nst.deleted, nst.purgeAt = deleted, purgeAt
		if err := s.putSecret(ctx, v, &nst); err != nil {
			return err
		}
	}
	return nil
}

// dropCert removes a certificate with its key and secret for good. Caller
// holds s.mu.
func (s *Service) dropCert(ctx context.Context, v *vaultState, cs *certState) error {
	lname := strings.ToLower(cs.name)
	if k := v.keys[lname]; k != nil {
		if err := s.store.DeleteKey(ctx, strings.ToLower(v.v.Name), lname); err != nil {
			return err
		}
		delete(v.keys, lname)
	}
	if st := v.obj.secrets[lname]; st != nil {
		if err := s.dropSecret(ctx, v, st); err != nil {
			return err
		}
	}
	return s.dropCertRecord(ctx, v, cs)
}

func (s *Service) dropCertRecord(ctx context.Context, v *vaultState, cs *certState) error {
	if err := s.store.DeleteObject(ctx, strings.ToLower(v.v.Name), kindCertificate, strings.ToLower(cs.name)); err != nil {
		return err
	}
	delete(v.obj.certs, strings.ToLower(cs.name))
	s.nextGen()
	return nil
}

// keyPairOf returns the key pair of a certificate version from its key.
// Caller holds s.mu.
func keyPairOf(v *vaultState, name, version string) keyPair {
	if k := v.keys[strings.ToLower(name)]; k != nil {
		for _, kv := range k.versions {
			if kv.version == version {
				return kv.kp
			}
		}
	}
	return nil
}
