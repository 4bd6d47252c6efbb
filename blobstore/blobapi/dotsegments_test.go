package blobapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolveDots(t *testing.T) {
	for in, want := range map[string]string{
		"/acct/c/key":             "/acct/c/key",
		"/acct/c/./key":           "/acct/c/key",
		"/acct/c/a/../b":          "/acct/c/b",
		"/acct/c/folder/file.":    "/acct/c/folder/file",
		"/acct/c/dir./x":          "/acct/c/dir/x",
		"/acct/c/a/.":             "/acct/c/a/",
		"/acct/c/a/..":            "/acct/c/",
		"/acct/c/../d/x":          "/acct/d/x",
		"/acct/../../c/x":         "/c/x",
		"/acct/c/.../x":           "/acct/c/x",
		"/acct/c/v1.2/file.txt":   "/acct/c/v1.2/file.txt",
		"/acct/c/.hidden/.env":    "/acct/c/.hidden/.env",
		"/acct/c/a//b":            "/acct/c/a//b",
		"/acct/c/trailing/slash/": "/acct/c/trailing/slash/",
	} {
		got, changed := resolveDots(in)
		assert.Equal(t, want, got, in)
		assert.Equal(t, want != in, changed, in)
	}
}

// TestDotSegmentsAreResolvedBeforeRouting: an encoded "%2E%2E" reaches the
// handler as the resolved name, and the request line clients sign is kept.
func TestDotSegmentsAreResolvedBeforeRouting(t *testing.T) {
	r := httptest.NewRequest("PUT", "/devstoreaccount1/c/a/%2E%2E/b%20c.", nil)
	got := rewrite(r)
	assert.Equal(t, "/devstoreaccount1/c/b c", got.URL.Path)
	assert.Equal(t, "/devstoreaccount1/c/b%20c", got.URL.EscapedPath())
	assert.Equal(t, "/devstoreaccount1/c/a/%2E%2E/b%20c.", got.RequestURI)
}

// FuzzResolveDots: the result never holds a dot segment or a segment
// ending in a dot, and resolving twice changes nothing.
func FuzzResolveDots(f *testing.F) {
	for _, s := range []string{"/a/c/./k", "/a/c/x/../y", "/a/c/f.", "/a/../..", "/a/c/...", "/a/c/.x./y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got, _ := resolveDots(p)
		for _, s := range strings.Split(strings.TrimPrefix(got, "/"), "/") {
			if strings.HasSuffix(s, ".") {
				t.Fatalf("resolveDots(%q) = %q keeps segment %q", p, got, s)
			}
		}
		again, changed := resolveDots(got)
		if changed || again != got {
			t.Fatalf("resolveDots not idempotent: %q -> %q -> %q", p, got, again)
		}
	})
}
