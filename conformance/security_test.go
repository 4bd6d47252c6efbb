package conformance

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// The tests in this file attack a running azemu from outside, the way a
// security review did: raw HTTP, replayed signatures, the data folder on
// disk. Each one failed before the fix it guards.

// recordingTransport forwards requests and keeps a copy of each, as signed,
// so a test can replay what an official SDK sent.
type recordingTransport struct {
	next *http.Client
	mu   sync.Mutex
	sent []*http.Request
}

func (rt *recordingTransport) Do(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.sent = append(rt.sent, r.Clone(context.Background()))
	rt.mu.Unlock()
	return rt.next.Do(r)
}

func (rt *recordingTransport) take() []*http.Request {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	out := rt.sent
	rt.sent = nil
	return out
}

// replayTo sends the method and headers of a recorded request (signature
// included) to another URL, raw.
func replayTo(t *testing.T, hc *http.Client, rec *http.Request, target string) *http.Response {
	t.Helper()
	r, err := http.NewRequestWithContext(ctxT(t), rec.Method, target, nil)
	require.NoError(t, err)
	r.Header = rec.Header.Clone()
	resp, err := hc.Do(r)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	return resp
}

// hostStyle turns http://127.0.0.1:PORT into http://<account><suffix>:PORT.
func hostStyle(t *testing.T, endpoint, suffix string) string {
	t.Helper()
	u, err := url.Parse(endpoint)
	require.NoError(t, err)
	return "http://" + emulator.DevAccountName + suffix + ":" + u.Port()
}

// TestSecuritySharedKeyReplayOtherResource replays the signature the Go SDK
// made for GET and DELETE of /devstoreaccount1/cont1/secret against blob
// (file) "cont1/secret" of a container (share) named devstoreaccount1, path
// style and host style: every replay is 403 and the other object survives.
func TestSecuritySharedKeyReplayOtherResource(t *testing.T) {
	emu := startAzemu(t)
	hc := httpClient(emu)
	const acct = emulator.DevAccountName

	t.Run("blob", func(t *testing.T) {
		env := blobEnvOn(t, emu)
		c1 := env.container(t, "cont1", nil)
		blobUpload(t, c1, "secret", "the real secret")
		c2 := env.container(t, acct, nil)
		blobUpload(t, c2, "cont1/secret", "someone else's blob")

		rt := &recordingTransport{next: hc}
		opts := clientOptions(emu)
		opts.Transport = rt
		bc, err := blob.NewClientWithSharedKeyCredential(env.accountURL+"/cont1/secret", env.cred, &blob.ClientOptions{ClientOptions: opts})
		require.NoError(t, err)
		_, err = bc.GetProperties(ctxT(t), nil)
		require.NoError(t, err)
		_, err = bc.Delete(ctxT(t), nil)
		require.NoError(t, err)
		sent := rt.take()
		require.Len(t, sent, 2)

		targets := []string{
			emu.BlobURL() + "/" + acct + "/" + acct + "/cont1/secret",
			hostStyle(t, emu.BlobURL(), ".blob.localhost") + "/" + acct + "/cont1/secret",
		}
		for _, rec := range sent {
			for _, target := range targets {
				resp := replayTo(t, hc, rec, target)
				assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %s", rec.Method, target)
				assert.Equal(t, "AuthenticationFailed", resp.Header.Get("x-ms-error-code"), "%s %s", rec.Method, target)
			}
		}
		got, err := c2.NewBlobClient("cont1/secret").DownloadStream(ctxT(t), nil)
		require.NoError(t, err, "the other blob survived the replayed DELETE")
		body, err := io.ReadAll(got.Body)
		require.NoError(t, err)
		assert.Equal(t, "someone else's blob", string(body))
	})

	t.Run("file", func(t *testing.T) {
		env := newFileEnv(t, emu)
		env.share(t, "cont1")
		sh := env.share(t, acct)
		_, err := sh.NewDirectoryClient("cont1").Create(ctxT(t), nil)
		require.NoError(t, err)
		for _, fc := range []*file.Client{env.svc.NewShareClient("cont1").NewRootDirectoryClient().NewFileClient("secret"),
			sh.NewDirectoryClient("cont1").NewFileClient("secret")} {
			_, err := fc.Create(ctxT(t), 6, nil)
			require.NoError(t, err)
			_, err = fc.UploadRange(ctxT(t), 0, streaming.NopCloser(strings.NewReader("secret")), nil)
			require.NoError(t, err)
		}

		rt := &recordingTransport{next: hc}
		opts := clientOptions(emu)
		opts.Transport = rt
		cred, err := file.NewSharedKeyCredential(acct, emulator.DevAccountKey)
		require.NoError(t, err)
		fc, err := file.NewClientWithSharedKeyCredential(emu.FileURL()+"/"+acct+"/cont1/secret", cred, &file.ClientOptions{ClientOptions: opts})
		require.NoError(t, err)
		_, err = fc.GetProperties(ctxT(t), nil)
		require.NoError(t, err)
		_, err = fc.Delete(ctxT(t), nil)
		require.NoError(t, err)
		sent := rt.take()
		require.Len(t, sent, 2)
		targets := []string{
			emu.FileURL() + "/" + acct + "/" + acct + "/cont1/secret",
			hostStyle(t, emu.FileURL(), ".file.localhost") + "/" + acct + "/cont1/secret",
		}
		for _, rec := range sent {
			for _, target := range targets {
				resp := replayTo(t, hc, rec, target)
				assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %s", rec.Method, target)
				assert.Equal(t, "AuthenticationFailed", resp.Header.Get("x-ms-error-code"), "%s %s", rec.Method, target)
			}
		}
		_, err = sh.NewDirectoryClient("cont1").NewFileClient("secret").GetProperties(ctxT(t), nil)
		require.NoError(t, err, "the other file survived the replayed DELETE")
	})
}

// signedGet is a GET signed by hand with the development key, dated date.
func signedGet(t *testing.T, target string, date time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, target, nil)
	require.NoError(t, err)
	signSharedKey(t, r, date)
	return r
}

// signSharedKey signs r by hand (Shared Key, development key), dated date,
// as the REST reference lays the string out: the Content-Length header
// (empty for 0), the x-ms-* headers in order, the path as sent. Only the
// headers these tests send are covered.
func signSharedKey(t *testing.T, r *http.Request, date time.Time) {
	t.Helper()
	r.Header.Set("x-ms-date", date.UTC().Format(http.TimeFormat))
	r.Header.Set("x-ms-version", "2025-01-05")
	cl := r.Header.Get("Content-Length")
	if cl == "0" {
		cl = ""
	}
	var xms []string
	for k, v := range r.Header {
		if k = strings.ToLower(k); strings.HasPrefix(k, "x-ms-") {
			xms = append(xms, k+":"+v[0]+"\n")
		}
	}
	slices.Sort(xms)
	s := r.Method + "\n\n\n" + cl + "\n\n\n\n\n\n\n\n\n" + strings.Join(xms, "") + "/" + emulator.DevAccountName + r.URL.EscapedPath()
	key, err := base64.StdEncoding.DecodeString(emulator.DevAccountKey)
	require.NoError(t, err)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	r.Header.Set("Authorization", "SharedKey "+emulator.DevAccountName+":"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// TestSecuritySharedKeyDateSkew sends Shared Key requests dated ahead of the
// clock: within 15 minutes they pass, a year ahead they are refused.
func TestSecuritySharedKeyDateSkew(t *testing.T) {
	env := newBlobEnv(t)
	c := env.container(t, "dated", nil)
	blobUpload(t, c, "b", "x")
	hc := httpClient(env.emu)
	target := env.accountURL + "/dated/b"
	for _, tc := range []struct {
		ahead  time.Duration
		status int
	}{{0, 200}, {10 * time.Minute, 200}, {20 * time.Minute, 403}, {365 * 24 * time.Hour, 403}, {-20 * time.Minute, 403}} {
		resp, err := hc.Do(signedGet(t, target, time.Now().Add(tc.ahead)))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, tc.status, resp.StatusCode, "dated %v ahead", tc.ahead)
		if tc.status == 403 {
			assert.Equal(t, "AuthenticationFailed", resp.Header.Get("x-ms-error-code"))
		}
	}
}

// blobEnvOn is a blobEnv over an emulator the test already started.
func blobEnvOn(t *testing.T, emu *emulator.Emulator) *blobEnv {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(emulator.DevAccountName, emulator.DevAccountKey)
	require.NoError(t, err)
	svc, err := service.NewClientFromConnectionString(emu.ConnectionString(), blobClientOptions(emu))
	require.NoError(t, err)
	return &blobEnv{emu: emu, cred: cred, svc: svc, accountURL: emu.BlobURL() + "/" + emulator.DevAccountName}
}

// openFDs counts this process's open file descriptors, and those of them
// that are files under dir.
func openFDs(t *testing.T, dir string) (total, under int) {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil {
			continue // closed meanwhile
		}
		total++
		if strings.HasPrefix(target, dir+string(filepath.Separator)) {
			under++
		}
	}
	return total, under
}

// stalledPut opens a connection and sends a signed Put Blob of 1 MiB
// whose body stops after 64 KiB.
func stalledPut(t *testing.T, addr, name string) net.Conn {
	t.Helper()
	r, err := http.NewRequest(http.MethodPut, "http://"+addr+"/"+emulator.DevAccountName+"/stall/"+name, nil)
	require.NoError(t, err)
	r.Header.Set("Content-Length", strconv.Itoa(1<<20))
	r.Header.Set("x-ms-blob-type", "BlockBlob")
	signSharedKey(t, r, time.Now())
	var head strings.Builder
	head.WriteString("PUT " + r.URL.RequestURI() + " HTTP/1.1\r\nHost: " + addr + "\r\n")
	for k, v := range r.Header {
		head.WriteString(k + ": " + v[0] + "\r\n")
	}
	head.WriteString("\r\n")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	_, err = io.WriteString(conn, head.String())
	require.NoError(t, err)
	_, err = conn.Write(make([]byte, 64<<10))
	require.NoError(t, err)
	return conn
}

// TestSecurityStalledUploads opens 1,000 Put Blob requests that stop
// sending mid-body and never finish. Against a lowered cap (64 uploads in
// flight) and idle timeout (500 ms): uploads past the cap are 503
// ServerBusy at once, at most the cap's worth of data files is ever open,
// every stalled connection is dropped by the server (none waits for the
// client), and once they are gone the file descriptors are back where they
// were and uploads work. Before the guard, each stalled body held its
// socket and an open data file for as long as the client liked.
func TestSecurityStalledUploads(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc/self/fd to count file descriptors")
	}
	const (
		stalled    = 1000
		maxUploads = 64
	)
	dir := t.TempDir()
	dir, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	emu := startAzemu(t, withDataDir(dir), withConfig(func(c *emulator.Config) {
		c.BodyIdleTimeout = 500 * time.Millisecond
		c.MaxUploads = maxUploads
	}))
	env := blobEnvOn(t, emu)
	c := env.container(t, "stall", nil)
	blobUpload(t, c, "warm-up", strings.Repeat("w", 100<<10))
	u, err := url.Parse(emu.BlobURL())
	require.NoError(t, err)
	// The metadata databases stay open throughout: data files are what
	// comes on top of them.
	baseline, dbFiles := openFDs(t, dir)

	conns := make([]net.Conn, stalled)
	maxData := 0
	for i := range conns {
		conns[i] = stalledPut(t, u.Host, "b"+strconv.Itoa(i))
		if i%50 == 0 {
			_, data := openFDs(t, dir)
			maxData = max(maxData, data-dbFiles)
		}
	}
	_, data := openFDs(t, dir)
	maxData = max(maxData, data-dbFiles)
	assert.LessOrEqual(t, maxData, maxUploads, "data files open at once")

	// Every connection ends: answered 503 at once, or dropped by the server
	// after the idle timeout. None may need the client to give up.
	busy, dropped := 0, 0
	for i, conn := range conns {
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "upload %d: the server kept a stalled upload open", i)
			dropped++
		} else {
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "upload %d", i)
			assert.Equal(t, "ServerBusy", resp.Header.Get("x-ms-error-code"), "upload %d", i)
			busy++
		}
		require.NoError(t, conn.Close())
	}
	t.Logf("%d stalled uploads: %d answered 503 ServerBusy, %d dropped after the idle timeout; at most %d data files open", stalled, busy, dropped, maxData)
	assert.Positive(t, busy)
	assert.Positive(t, dropped)

	// Everything is released: descriptors back to the baseline (a few
	// pooled client connections may come and go) and uploads work.
	require.Eventually(t, func() bool {
		total, data := openFDs(t, dir)
		return data == dbFiles && total <= baseline+8
	}, 20*time.Second, 10*time.Millisecond)
	blobUpload(t, c, "after", strings.Repeat("a", 100<<10))
}

// TestSecurityBlobDotSegments: names with "." and ".." segments or trailing
// dots address the blob Azure resolves them to (Azure's front end removes
// dot segments and trailing dots; see blobapi/dotsegments.go), through the
// Go SDK, which sends such names as they are. A container-scoped SAS for one
// container does not reach another through "..".
func TestSecurityBlobDotSegments(t *testing.T) {
	ctx := context.Background()
	env := newBlobEnv(t)
	c := env.container(t, "dots", nil)
	env.container(t, "other", nil)
	for name, resolved := range map[string]string{"./key": "key", "a/../b": "b", "folder/file.": "folder/file", "dir./x": "dir/x"} {
		body := []byte("written as " + name)
		_, err := c.NewBlockBlobClient(name).UploadBuffer(ctx, body, nil)
		require.NoError(t, err, name)
		got, err := c.NewBlobClient(resolved).DownloadStream(ctx, nil)
		require.NoError(t, err, name)
		data, err := io.ReadAll(got.Body)
		require.NoError(t, err)
		assert.Equal(t, body, data, name)
	}
	var names []string
	pager := c.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	assert.ElementsMatch(t, []string{"key", "b", "folder/file", "dir/x"}, names)

	// A SAS for container "dots" signs resource /blob/<account>/dots; a
	// request that climbs into "other" is checked against "other".
	perms := sas.ContainerPermissions{Read: true, Write: true, Create: true}
	q, err := sas.BlobSignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		ContainerName: "dots", Permissions: perms.String()}.SignWithSharedKey(env.cred)
	require.NoError(t, err)
	u := env.accountURL + "/dots/../other/escaped?" + q.Encode()
	bb, err := blockblob.NewClientWithNoCredential(u, &blockblob.ClientOptions{ClientOptions: clientOptions(env.emu)})
	require.NoError(t, err)
	_, err = bb.UploadBuffer(ctx, []byte("x"), nil)
	require.Error(t, err)
	assert.True(t, bloberror.HasCode(err, bloberror.AuthenticationFailed), "%v", err)
}
