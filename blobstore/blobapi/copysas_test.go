package blobapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCopySourceSignatureNotKept: the SAS signature of x-ms-copy-source is
// a credential; the destination's x-ms-copy-source keeps the URL without it.
func TestCopySourceSignatureNotKept(t *testing.T) {
	e := newEnv(t)
	A := "/" + testAccount
	e.must(req{method: "PUT", path: A + "/cps?restype=container"}, 201)
	e.must(req{method: "PUT", path: A + "/cps/src", body: "source", header: map[string]string{"x-ms-blob-type": "BlockBlob"}}, 201)
	const sig = "c2VjcmV0LXNpZ25hdHVyZS1ub3QtdG8ta2VlcA%3D%3D"
	src := e.srv.URL + A + "/cps/src?sv=2025-01-05&sr=b&sp=r&se=2099-01-01T00%3A00%3A00Z&sig=" + sig
	resp, _ := e.must(req{method: "PUT", path: A + "/cps/dst", header: map[string]string{"x-ms-copy-source": src}}, 202)
	assert.Equal(t, "success", resp.Header.Get("x-ms-copy-status"))
	head, _ := e.must(req{method: "HEAD", path: A + "/cps/dst"}, 200)
	got := head.Header.Get("x-ms-copy-source")
	assert.True(t, strings.HasPrefix(got, e.srv.URL+A+"/cps/src?"), got)
	assert.NotContains(t, got, "c2VjcmV0")
	assert.Contains(t, got, "sig=REDACTED")
}
