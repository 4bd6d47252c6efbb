package file

import (
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// timeSpec is one parsed SMB time header.
type timeSpec struct {
	kind int // tsDefault, tsNow, tsPreserve, tsSet
	at   time.Time
}

const (
	tsDefault = iota
	tsNow
	tsPreserve
	tsSet
)

func parseFileTime(header, v string) (timeSpec, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return timeSpec{}, nil
	case "now":
		return timeSpec{kind: tsNow}, nil
	case "preserve":
		return timeSpec{kind: tsPreserve}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return timeSpec{}, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", header).WithDetail("HeaderValue", v)
	}
	return timeSpec{kind: tsSet, at: t.UTC()}, nil
}

// apply returns the new value of a time: def says what "not given" means.
func (t timeSpec) apply(cur, now time.Time, def int) time.Time {
	k := t.kind
	if k == tsDefault {
		k = def
	}
	switch k {
	case tsNow:
		return now
	case tsSet:
		return t.at
	}
	return cur
}

// attrNames are the attributes in the order Azure prints them.
func attrNames() [10]string {
	return [10]string{"ReadOnly", "Hidden", "System", "None", "Directory", "Archive", "Temporary", "Offline", "NotContentIndexed", "NoScrubData"}
}

// parseAttributes validates x-ms-file-attributes and returns the canonical
// form ("" = not given, "preserve" kept).
func parseAttributes(v string, dir bool) (string, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "":
		return "", nil
	case "preserve":
		return "preserve", nil
	}
	bad := storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-file-attributes").WithDetail("HeaderValue", v)
	names := attrNames()
	var set [len(names)]bool
	n := 0
	for _, p := range strings.Split(v, "|") {
		p = strings.TrimSpace(p)
		found := false
		for i, a := range names {
			if strings.EqualFold(p, a) {
				if !set[i] {
					n++
				}
				set[i], found = true, true
			}
		}
		if !found {
			return "", bad
		}
	}
	if set[3] && n > 1 {
		return "", bad // None must be used alone
	}
	if set[4] && !dir {
		return "", bad
	}
	if dir {
		if set[3] {
			return "Directory", nil
		}
		set[4] = true
	}
	var out []string
	for i, a := range names {
		if set[i] {
			out = append(out, a)
		}
	}
	return strings.Join(out, "|"), nil
}

// smbSpec is a parsed SMBProperties.
type smbSpec struct {
	attrs                     string
	created, written, changed timeSpec
	perm                      *blobstore.SharePermission // a descriptor to store
	permKey                   string                     // a given key
	permPreserve              bool
}

func parseSMB(p blobstore.SMBProperties, dir bool) (smbSpec, error) {
	var sp smbSpec
	var err error
	if sp.attrs, err = parseAttributes(p.Attributes, dir); err != nil {
		return sp, err
	}
	if sp.created, err = parseFileTime("x-ms-file-creation-time", p.CreationTime); err != nil {
		return sp, err
	}
	if sp.written, err = parseFileTime("x-ms-file-last-write-time", p.LastWriteTime); err != nil {
		return sp, err
	}
	if sp.changed, err = parseFileTime("x-ms-file-change-time", p.ChangeTime); err != nil {
		return sp, err
	}
	if p.Permission != "" && p.PermissionKey != "" {
		return sp, storageerr.ErrInvalidHeaderValue.WithMessage("Only one of x-ms-file-permission and x-ms-file-permission-key may be given.").
			WithDetail("HeaderName", "x-ms-file-permission").WithDetail("HeaderValue", p.Permission)
	}
	switch strings.ToLower(p.Permission) {
	case "", "inherit":
	case "preserve":
		sp.permPreserve = true
	default:
		perm, err := checkPermission(blobstore.SharePermission{Format: p.PermissionFormat, Permission: p.Permission})
		if err != nil {
			return sp, err
		}
		sp.perm = &perm
	}
	sp.permKey = p.PermissionKey
	return sp, nil
}

// needsKey reports whether applying sp stores a descriptor (sealed).
func (sp smbSpec) needsKey() bool { return sp.perm != nil }

// apply sets the SMB properties of rec. create says whether missing values
// take the create defaults (now, Archive/Directory, inherit) or preserve.
func (sp smbSpec) apply(tx *boltstore.Tx, k *blobstore.AccountKey, ref blobstore.ShareRef, rec *nodeRec, create bool, now time.Time) error {
	def := tsPreserve
	if create {
		def = tsNow
	}
	rec.Created = sp.created.apply(rec.Created, now, def)
	rec.Written = sp.written.apply(rec.Written, now, def)
	rec.Changed = sp.changed.apply(rec.Changed, now, tsNow)
	switch {
	case sp.attrs != "" && sp.attrs != "preserve":
		rec.Attributes = sp.attrs
	case create && rec.Dir:
		rec.Attributes = "Directory"
	case create:
		rec.Attributes = "Archive"
	}
	switch {
	case sp.perm != nil:
		key, err := storePermission(tx, k, ref, *sp.perm)
		if err != nil {
			return err
		}
		rec.PermKey = key
	case sp.permKey != "":
		if sp.permKey != permissionKey("Sddl", defaultSDDL) &&
			tx.FileGet(boltstore.FilePerms, boltstore.PermKey(ref.Account, ref.Share, sp.permKey)) == nil {
			return storageerr.ErrInvalidHeaderValue.WithMessage("The specified permission key does not exist.").
				WithDetail("HeaderName", "x-ms-file-permission-key").WithDetail("HeaderValue", sp.permKey)
		}
		rec.PermKey = sp.permKey
	case create || rec.PermKey == "":
		rec.PermKey = permissionKey("Sddl", defaultSDDL)
	}
	return nil
}
