package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/blob"
	"github.com/azemu/azemu/blobstore/file"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

// storageParts returns the Blob and Files services over storage, created
// once: the HTTP handlers and the seed share them.
func (e *Emulator) storageParts() (*blob.Service, *file.Service) {
	e.partsOnce.Do(func() {
		e.blobs = blob.New(e.storage)
		e.files = file.New(e.storage, e.blobs)
	})
	return e.blobs, e.files
}

// seedCaller is who creates the seeded keys: the development principal,
// under the vault's own access rules.
var seedCaller = keyvault.Caller{ObjectID: DevObjectID, TenantID: DevTenantID, AppID: DevClientID}

// applySeed applies Config.Seed through the services' own calls. What
// exists already is left as it is, so applying twice changes nothing.
func (e *Emulator) applySeed(ctx context.Context) error {
	s := e.cfg.Seed
	if s == nil {
		return nil
	}
	at := func(p Pos, err error) error {
		return &SeedError{File: e.cfg.SeedFile, Pos: p, Msg: err.Error()}
	}
	for _, p := range s.Principals {
		oid := p.ObjectID
		if oid == "" {
			oid = derivedObjectID(p.ClientID)
		}
		if _, err := e.identity.RegisterPrincipal(ctx, identity.ServicePrincipalSpec{
			TenantID: DevTenantID, ClientID: p.ClientID, ObjectID: oid, Secret: p.Secret, DisplayName: cmpOr(p.DisplayName, p.ClientID),
		}); err != nil {
			return at(p.Pos, err)
		}
	}
	for i := range s.Vaults {
		if err := e.seedVault(ctx, &s.Vaults[i]); err != nil {
			return err
		}
	}
	devKey, err := decodeB64(DevAccountKey)
	if err != nil {
		return err
	}
	blobs, files := e.storageParts()
	for _, a := range s.Accounts {
		keys := a.keys
		if len(keys) == 0 {
			keys = [][]byte{devKey}
		}
		if err := e.storage.CreateAccount(ctx, blobstore.AccountSpec{Name: a.Name, Keys: keys}); err != nil {
			return at(a.Pos, err)
		}
		for _, c := range a.Containers {
			cref := blobstore.ContainerRef{Account: a.Name, Container: c.Name}
			_, err := blobs.CreateContainer(ctx, cref, blobstore.CreateContainerOptions{Metadata: c.Metadata})
			if err != nil && !errors.Is(err, storageerr.ErrContainerAlreadyExists) {
				return at(c.Pos, err)
			}
			for _, b := range c.Blobs {
				_, err := blobs.PutBlob(ctx, blobstore.BlobRef{Account: a.Name, Container: c.Name, Blob: b.Name}, blobstore.PutBlobOptions{
					Body: bytes.NewReader(b.data), Size: int64(len(b.data)),
					HTTPHeaders: blobstore.HTTPHeaders{ContentType: cmpOr(b.ContentType, "application/octet-stream")},
					Metadata:    b.Metadata,
					Conditions:  blobstore.Conditions{IfNoneMatch: "*"},
				})
				if err != nil && !errors.Is(err, storageerr.ErrBlobAlreadyExists) {
					return at(b.Pos, err)
				}
			}
		}
		for _, sh := range a.Shares {
			if err := seedShare(ctx, files, a.Name, sh, at); err != nil {
				return err
			}
		}
	}
	return nil
}

func seedShare(ctx context.Context, files *file.Service, account string, sh SeedShare, at func(Pos, error) error) error {
	_, err := files.CreateShare(ctx, blobstore.ShareRef{Account: account, Share: sh.Name}, blobstore.CreateShareOptions{Quota: sh.Quota, Metadata: sh.Metadata})
	if err != nil && !errors.Is(err, storageerr.ErrShareAlreadyExists) {
		return at(sh.Pos, err)
	}
	mkdir := func(p Pos, path string, md map[string]string) error {
		_, err := files.CreateDirectory(ctx, blobstore.FileRef{Account: account, Share: sh.Name, Path: path}, blobstore.CreateDirectoryOptions{Metadata: md})
		if err != nil && !errors.Is(err, storageerr.ErrResourceAlreadyExists) {
			return at(p, err)
		}
		return nil
	}
	// parents creates the directories above path ("a/b/c" → a, a/b).
	parents := func(p Pos, path string) error {
		segs := strings.Split(path, "/")
		for i := 1; i < len(segs); i++ {
			if err := mkdir(p, strings.Join(segs[:i], "/"), nil); err != nil {
				return err
			}
		}
		return nil
	}
	for _, d := range sh.Directories {
		path := strings.Trim(d.Path, "/")
		if err := parents(d.Pos, path); err != nil {
			return err
		}
		if err := mkdir(d.Pos, path, d.Metadata); err != nil {
			return err
		}
	}
	for _, f := range sh.Files {
		path := strings.Trim(f.Name, "/")
		if err := parents(f.Pos, path); err != nil {
			return err
		}
		ref := blobstore.FileRef{Account: account, Share: sh.Name, Path: path}
		if _, err := files.GetFileProperties(ctx, ref, ""); err == nil {
			continue
		}
		if _, err := files.CreateFile(ctx, ref, blobstore.CreateFileOptions{
			Size:        int64(len(f.data)),
			HTTPHeaders: blobstore.HTTPHeaders{ContentType: cmpOr(f.ContentType, "application/octet-stream")},
			Metadata:    f.Metadata,
		}); err != nil {
			return at(f.Pos, err)
		}
		if len(f.data) > 0 {
			if _, err := files.PutRange(ctx, ref, blobstore.PutRangeOptions{Length: int64(len(f.data)), Body: bytes.NewReader(f.data)}); err != nil {
				return at(f.Pos, err)
			}
		}
	}
	return nil
}

func (e *Emulator) seedVault(ctx context.Context, v *SeedVault) error {
	at := func(p Pos, err error) error {
		return &SeedError{File: e.cfg.SeedFile, Pos: p, Msg: fmt.Sprintf("vault %s: %v", v.Name, err)}
	}
	spec := keyvault.VaultSpec{
		Name: v.Name, TenantID: DevTenantID, EnableSoftDelete: v.SoftDelete,
		SoftDeleteRetentionDays: v.SoftDeleteRetentionDays, EnablePurgeProtection: v.PurgeProtection,
		EnableRBACAuthorization: v.RBAC,
	}
	for _, ap := range v.AccessPolicies {
		spec.AccessPolicies = append(spec.AccessPolicies, keyvault.AccessPolicy{TenantID: DevTenantID, ObjectID: ap.ObjectID,
			Keys: ap.Keys, Secrets: ap.Secrets, Certificates: ap.Certificates})
	}
	if !v.RBAC && len(v.AccessPolicies) == 0 {
		// Like devvault: the development principal may do everything.
		spec.AccessPolicies = []keyvault.AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: keyvault.AllKeyPermissions(),
			Secrets: keyvault.AllSecretPermissions(), Certificates: keyvault.AllCertificatePermissions()}}
	}
	got, err := e.vault.EnsureVault(ctx, spec)
	if err != nil {
		return at(v.Pos, err)
	}
	if got.Deleted != nil {
		// Deleted by a client since it was seeded: a restart leaves it so
		// (only a reset brings it back).
		return nil
	}
	if len(v.RoleAssignments) > 0 {
		have, err := e.vault.ListRoleAssignments(ctx, v.Name)
		if err != nil {
			return at(v.Pos, err)
		}
	next:
		for _, ra := range v.RoleAssignments {
			id := derivedObjectID(v.Name + "/" + ra.PrincipalID + "/" + ra.Role + "/" + ra.Scope)
			for _, h := range have {
				if h.ID == id || strings.EqualFold(h.PrincipalID, ra.PrincipalID) && strings.EqualFold(h.Scope, ra.Scope) && sameRole(h.RoleDefinition, ra.Role) {
					continue next
				}
			}
			if _, err := e.vault.AssignRole(ctx, v.Name, keyvault.RoleAssignment{
				ID: id, PrincipalID: ra.PrincipalID, RoleDefinition: ra.Role, Scope: ra.Scope,
			}); err != nil {
				return at(ra.Pos, err)
			}
		}
	}
	for _, k := range v.Keys {
		_, err := e.vault.GetKey(ctx, seedCaller, keyvault.KeyRef{Vault: v.Name, Name: k.Name})
		if err == nil {
			continue
		}
		if !errors.Is(err, keyvault.ErrKeyNotFound) {
			return at(k.Pos, err)
		}
		if _, err := e.vault.GetDeletedKey(ctx, seedCaller, v.Name, k.Name); err == nil {
			continue // soft-deleted by a client: left so until a reset
		}
		if _, err := e.vault.CreateKey(ctx, seedCaller, v.Name, k.Name, keyvault.CreateKeyParams{
			Kty: k.Type, KeySize: k.Size, Curve: k.Curve, KeyOps: k.Ops,
		}); err != nil {
			return at(k.Pos, fmt.Errorf("key %s: %w", k.Name, err))
		}
	}
	return nil
}

// sameRole compares a stored role name with a seeded name or GUID.
func sameRole(stored, seeded string) bool {
	return strings.EqualFold(stored, seeded) || strings.HasSuffix(strings.ToLower(seeded), "/"+strings.ToLower(stored))
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
