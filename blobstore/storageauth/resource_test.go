package storageauth

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkSignedPathStyle returns the GET and DELETE the official SDK signs for
// /devstoreaccount1/cont1/secret (path style) on svc.
func sdkSignedPathStyle(t *testing.T, svc Service) []captured {
	rc, addr, hc := startRecorder(t, svc)
	ctx := context.Background()
	url := "http://" + addr + "/" + devAccount + "/cont1/secret"
	switch svc {
	case ServiceBlob:
		c, err := blob.NewClientWithSharedKeyCredential(url, blobCred(t), &blob.ClientOptions{ClientOptions: clientOptions(hc)})
		require.NoError(t, err)
		_, _ = c.DownloadStream(ctx, nil)
		_, _ = c.Delete(ctx, nil)
	case ServiceFile:
		c, err := file.NewClientWithSharedKeyCredential(url, fileCred(t), &file.ClientOptions{ClientOptions: clientOptions(hc)})
		require.NoError(t, err)
		_, _ = c.DownloadStream(ctx, nil)
		_, _ = c.Delete(ctx, nil)
	}
	got := rc.take()
	require.Len(t, got, 2)
	for _, g := range got {
		require.NoError(t, g.err, "%s %s: %v", g.method, g.uri, detailOf(g.err))
	}
	return got
}

// TestSharedKeySignatureAuthenticatesOneResource replays the SDK's
// signature of /devstoreaccount1/cont1/secret against the other resources
// whose path could be read into the same string-to-sign: blob or file
// "cont1/secret" of a container or share named "devstoreaccount1", path
// style and host style. Each must be refused.
func TestSharedKeySignatureAuthenticatesOneResource(t *testing.T) {
	for _, svc := range []Service{ServiceBlob, ServiceFile} {
		suffix := ".blob.localhost"
		if svc == ServiceFile {
			suffix = ".file.localhost"
		}
		for _, g := range sdkSignedPathStyle(t, svc) {
			t.Run(string(svc)+" "+g.method, func(t *testing.T) {
				keys := [][]byte{devKey(t)}
				res, err := Authenticate(context.Background(), replay(t, g, nil), g.req, keys, nil)
				require.NoError(t, err, "the original request")
				assert.Equal(t, MethodSharedKey, res.Method)

				// Path style: /devstoreaccount1/devstoreaccount1/cont1/secret.
				r := replay(t, g, func(r *http.Request) {
					r.RequestURI = strings.Replace(r.RequestURI, "/"+devAccount+"/", "/"+devAccount+"/"+devAccount+"/", 1)
				})
				other := Request{Service: svc, Account: devAccount, Container: devAccount, Path: "cont1/secret",
					ResourceType: ResourceObject, Permission: g.req.Permission, ClientIP: g.req.ClientIP, Now: g.req.Now}
				_, err = Authenticate(context.Background(), r, other, keys, nil)
				assertAuthError(t, err, 403, "AuthenticationFailed", "The MAC signature found in the HTTP request")

				// Host style: devstoreaccount1.blob.localhost/devstoreaccount1/cont1/secret.
				r = replay(t, g, func(r *http.Request) { r.Host = devAccount + suffix })
				other.HostStyle = true
				_, err = Authenticate(context.Background(), r, other, keys, nil)
				assertAuthError(t, err, 403, "AuthenticationFailed", "Shared Key cannot authenticate a host-style request")
			})
		}
	}
}

// TestSharedKeyHostStyleSignsPathOnce checks the one form a host-style
// client signs, and that a path-style string does not pass for it.
func TestSharedKeyHostStyleSignsPathOnce(t *testing.T) {
	now := time.Now()
	mk := func(path, signedResource string) *http.Request {
		r := fuzzRequest(http.MethodGet, path, "")
		r.Host = devAccount + ".blob.localhost"
		r.Header.Set("X-Ms-Date", now.UTC().Format(http.TimeFormat))
		r.Header.Set("X-Ms-Version", "2025-01-05")
		s := "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + r.Header.Get("X-Ms-Date") + "\nx-ms-version:2025-01-05\n" + signedResource
		r.Header.Set("Authorization", "SharedKey "+devAccount+":"+sign(devKey(t), s))
		return r
	}
	q := Request{Service: ServiceBlob, Account: devAccount, Container: "c", Path: "b", HostStyle: true, Now: now}
	_, err := Authenticate(context.Background(), mk("/c/b", "/devstoreaccount1/c/b"), q, [][]byte{devKey(t)}, nil)
	require.NoError(t, err)
	_, err = Authenticate(context.Background(), mk("/c/b", "/devstoreaccount1/devstoreaccount1/c/b"), q, [][]byte{devKey(t)}, nil)
	assertAuthError(t, err, 403, "AuthenticationFailed", "The MAC signature found")
	// An escaped account segment is still the account.
	q.Container, q.Path = devAccount, "c/b"
	_, err = Authenticate(context.Background(), mk("/%64evstoreaccount1/c/b", "/devstoreaccount1/%64evstoreaccount1/c/b"), q, [][]byte{devKey(t)}, nil)
	assertAuthError(t, err, 403, "AuthenticationFailed", "Shared Key cannot authenticate a host-style request")
}

// TestSharedKeyDateSkew bounds x-ms-date (and Date) both ways.
func TestSharedKeyDateSkew(t *testing.T) {
	now := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		offset time.Duration
		header string
		detail string
	}{
		{"14 minutes ahead", 14 * time.Minute, "X-Ms-Date", ""},
		{"14 minutes old", -14 * time.Minute, "X-Ms-Date", ""},
		{"16 minutes ahead", 16 * time.Minute, "X-Ms-Date", "Request date header too far in the future: '"},
		{"a year ahead", 365 * 24 * time.Hour, "X-Ms-Date", "Request date header too far in the future: '"},
		{"a year ahead in Date", 365 * 24 * time.Hour, "Date", "Request date header too far in the future: '"},
		{"16 minutes old", -16 * time.Minute, "X-Ms-Date", "Request date header too old: '"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := fuzzRequest(http.MethodGet, "/devstoreaccount1/c/b", "")
			r.Header.Set(tc.header, now.Add(tc.offset).Format(http.TimeFormat))
			signHandMade(t, r, false)
			q := Request{Service: ServiceBlob, Account: devAccount, Container: "c", Path: "b", Now: now}
			res, err := Authenticate(context.Background(), r, q, [][]byte{devKey(t)}, nil)
			if tc.detail == "" {
				require.NoError(t, err)
				assert.Equal(t, MethodSharedKey, res.Method)
				return
			}
			assertAuthError(t, err, 403, "AuthenticationFailed", tc.detail)
		})
	}
}
