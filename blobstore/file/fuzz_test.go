package file

import (
	"strings"
	"testing"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

func FuzzSplitFilePath(f *testing.F) {
	for _, s := range []string{"a/b/c", "/a//b/", "bad|name", "..", strings.Repeat("x", 300), "ü/∂"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		parts, err := splitFilePath(p)
		if err != nil {
			if storageerr.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, c := range parts {
			if c == "" || strings.ContainsAny(c, "/\\\x00") {
				t.Fatalf("bad component %q of %q", c, p)
			}
		}
	})
}

func FuzzParseSMB(f *testing.F) {
	f.Add("ReadOnly|Hidden", "2026-01-01T00:00:00.1234567Z", "now", "O:SYG:SY", false)
	f.Add("None", "preserve", "", "inherit", true)
	f.Fuzz(func(t *testing.T, attrs, created, written, perm string, dir bool) {
		sp, err := parseSMB(blobstore.SMBProperties{Attributes: attrs, CreationTime: created, LastWriteTime: written, Permission: perm}, dir)
		if err != nil {
			if storageerr.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if dir && sp.attrs != "" && sp.attrs != "preserve" && !strings.Contains(sp.attrs, "Directory") {
			t.Fatalf("directory attributes %q without Directory", sp.attrs)
		}
	})
}
