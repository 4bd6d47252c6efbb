package keyvault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// vaultObjects holds what a vault keeps besides keys. Values are replaced,
// never changed in place, so a pointer read under the read lock stays valid.
type vaultObjects struct {
	secrets  map[string]*secretState // by lower-case name
	certs    map[string]*certState   // by lower-case name
	issuers  map[string]*issuerState // by lower-case name
	contacts []Contact               // nil = none set
}

func newVaultObjects() *vaultObjects {
	return &vaultObjects{secrets: map[string]*secretState{}, certs: map[string]*certState{}, issuers: map[string]*issuerState{}}
}

// minAttrTime and maxAttrTime bound nbf and exp: the dates a timestamp can
// be written as (RFC 3339 and Key Vault's own records hold four-digit years).
// A unix time beyond them is a client error, not a server failure.
var (
	minAttrTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxAttrTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// checkAttrTimes refuses nbf or exp outside the years 1 to 9999 with 400
// BadParameter, for keys, secrets and certificates alike.
func checkAttrTimes(a AttributesUpdate) error {
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"nbf", a.NotBefore}, {"exp", a.Expires}} {
		if f.t == nil || f.t.IsZero() {
			continue
		}
		if f.t.Before(minAttrTime) || f.t.After(maxAttrTime) {
			return badParam("The attribute '%s' is out of range: it must be a date between the years 1 and 9999.", f.name)
		}
	}
	return nil
}

// activeOrNotFound and friends keep error messages in one place.
func secretNotFound(name string) *Error {
	return ErrSecretNotFound.withMessage("A secret with (name/id) %s was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", name)
}

func deletedSecretNotFound(name string) *Error {
	return ErrSecretNotFound.withMessage("Deleted Secret not found: %s", name)
}

func certificateNotFound(name string) *Error {
	return ErrCertificateNotFound.withMessage("A certificate with (name/id) %s was not found in this key vault. If you recently deleted this certificate you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", name)
}

func deletedCertificateNotFound(name string) *Error {
	return ErrCertificateNotFound.withMessage("Deleted Certificate not found: %s", name)
}

// deletedButRecoverable is Key Vault's 409 for a name held by a deleted object.
func deletedButRecoverable(what, name string) *Error {
	title := strings.ToUpper(what[:1]) + what[1:]
	return ErrDeletedButRecover.withMessage("%s %s is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the %s can only be recovered or purged.", title, name, what)
}

// purgeProtected is the 403 of a purge under purge protection.
func purgeProtected(v *vaultState) *Error {
	return ErrPurgeProtected.withMessage("Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed.\r\nVault: %s;location=%s", v.v.Name, v.v.Location)
}

// softDeleteDates returns (now, scheduled purge) for a deletion in v.
func (s *Service) softDeleteDates(v *vaultState) (time.Time, time.Time) {
	now := s.clock()
	return now, now.Add(time.Duration(v.v.SoftDeleteRetentionDays) * 24 * time.Hour)
}

// validateObjectTags applies Key Vault's tag limits (15 tags, names and
// values up to 256 characters) to secrets and certificates.
func validateObjectTags(tags map[string]string) error {
	if len(tags) > 15 {
		return badParam("Tags: the number of tags cannot exceed 15.")
	}
	for k, v := range tags {
		if k == "" || len(k) > 256 || len(v) > 256 {
			return badParam("Tags: tag names and values must be 1 to 256 characters long.")
		}
	}
	return nil
}

// sortedNames returns the lower-case names of m whose deletion state is
// deleted, sorted.
func sortedNames[T any](m map[string]T, isDeleted func(T) bool, deleted bool) []string {
	var names []string
	for n, x := range m {
		if isDeleted(x) == deleted {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// loadObjects reads secret, certificate and settings records after the
// vaults. Caller must not hold s.mu.
func (s *Service) loadObjects(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.LoadObjects(ctx, func(vault, kind, name string, data []byte) error {
		v, ok := s.vaults[vault]
		if !ok {
			return fmt.Errorf("keyvault: %s record %s/%s without vault", kind, vault, name)
		}
		var err error
		switch kind {
		case kindSecret:
			err = s.loadSecret(v, name, data)
		case kindCertificate:
			err = s.loadCertificate(v, name, data)
		case kindSettings:
			err = s.loadSetting(v, name, data)
		default:
			err = fmt.Errorf("unknown record kind %q", kind)
		}
		if err != nil {
			return fmt.Errorf("keyvault: %s record %s/%s: %w", kind, vault, name, err)
		}
		return nil
	})
}

// putRecord marshals rec and stores it. Caller holds s.mu.
func (s *Service) putRecord(ctx context.Context, v *vaultState, kind, name string, rec any) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.store.PutObject(ctx, strings.ToLower(v.v.Name), kind, strings.ToLower(name), data)
}

// tickObjects purges secrets and certificates whose scheduled purge date has
// passed and runs due certificate lifetime actions. Caller holds s.mu.
func (s *Service) tickObjects(ctx context.Context, v *vaultState, now time.Time) error {
	var errs []error
	for n, sec := range v.obj.secrets {
		if sec.purgeAt != nil && !now.Before(*sec.purgeAt) {
			if err := s.store.DeleteObject(ctx, strings.ToLower(v.v.Name), kindSecret, n); err != nil {
				errs = append(errs, err)
				continue
			}
			delete(v.obj.secrets, n)
			s.nextGen()
			s.log.Info("secret purged", "vault", v.v.Name, "secret", sec.name)
		}
	}
	errs = append(errs, s.tickCertificates(ctx, v, now))
	return errors.Join(errs...)
}
