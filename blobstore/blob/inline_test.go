package blob

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/sealed"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// newInlineEnv is an env that keeps small Put Blob bodies in their
// records, as the service does outside tests.
func newInlineEnv(t *testing.T) *env {
	e := newEnv(t)
	e.inline = true
	e.reopen()
	return e
}

func TestSmallBlobsLiveInTheirRecords(t *testing.T) {
	e := newInlineEnv(t)
	e.mkContainer("box")
	small := randBytes(t, sealed.DefaultInlineMax)
	big := randBytes(t, sealed.DefaultInlineMax+1)
	e.put("box", "small", small)
	assert.Equal(t, 0, e.dataFiles(), "a body up to sealed.DefaultInlineMax writes no data file")
	e.put("box", "big", big)
	assert.Equal(t, 1, e.dataFiles(), "a larger body is a data file")

	assert.Equal(t, small, e.read(bref("box", "small")))
	r, err := e.s.GetBlob(e.ctx, bref("box", "small"), blobstore.Conditions{})
	require.NoError(t, err)
	part := make([]byte, 100)
	_, err = r.ReadAt(part, 1000)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, small[1000:1100], part)

	e.reopen()
	assert.Equal(t, small, e.read(bref("box", "small")), "inline data survives a restart")
	assert.Equal(t, big, e.read(bref("box", "big")))
}

func TestInlineBlobsCopySnapshotDelete(t *testing.T) {
	e := newInlineEnv(t)
	e.mkContainer("box")
	data := []byte("tiny but precious")
	e.put("box", "src", data)
	snap, err := e.s.SnapshotBlob(e.ctx, bref("box", "src"), blobstore.SnapshotOptions{})
	require.NoError(t, err)
	_, err = e.s.CopyBlob(e.ctx, bref("box", "dst"), blobstore.CopyBlobOptions{Source: bref("box", "src")})
	require.NoError(t, err)
	require.NoError(t, e.s.DeleteBlob(e.ctx, bref("box", "src"), blobstore.DeleteBlobOptions{DeleteSnapshots: "include"}))
	assert.Equal(t, data, e.read(bref("box", "dst")))
	_, err = e.s.GetBlob(e.ctx, blobstore.BlobRef{Account: acct, Container: "box", Blob: "src", Snapshot: snap.Snapshot}, blobstore.Conditions{})
	assert.ErrorIs(t, err, storageerr.ErrBlobNotFound)
	assert.Equal(t, 0, e.dataFiles())
}

// The inline bytes are sealed like a data file: no plaintext in the
// database, and a flipped byte fails the read instead of returning wrong
// bytes.
func TestInlineBlobsAreSealed(t *testing.T) {
	e := newInlineEnv(t)
	e.mkContainer("box")
	secret := bytes.Repeat([]byte("inline-canary-7f3a9c "), 100)
	e.put("box", "s", secret)
	require.NoError(t, e.core.Close())
	for p, b := range walkFiles(t, e.cfg.DataDir) {
		assert.False(t, bytes.Contains(b, secret[:21]), "%s holds plaintext", p)
	}
	e.open()

	ref := bref("box", "s")
	require.NoError(t, e.s.st.Update(func(tx *boltstore.Tx) error {
		raw := tx.Blob(ref.Account, ref.Container, ref.Blob, "")
		rec, err := decodeBlobRec(raw)
		require.NoError(t, err)
		require.Len(t, rec.Extents, 1)
		require.NotNil(t, rec.Extents[0].In)
		rec.Extents[0].In[len(rec.Extents[0].In)/2] ^= 1
		return tx.PutBlob(ref.Account, ref.Container, ref.Blob, "", encodeBlobRec(rec))
	}))
	r, err := e.s.GetBlob(e.ctx, ref, blobstore.Conditions{})
	if err == nil {
		buf := make([]byte, len(secret))
		_, err = r.ReadAt(buf, 0)
		_ = r.Close()
	}
	assert.Error(t, err, "a tampered inline blob must not read")
}

// Account answers from a cache; every account write must show at once.
func TestAccountCacheFollowsWrites(t *testing.T) {
	e := newEnv(t)
	a, err := e.core.Account(e.ctx, acct)
	require.NoError(t, err)
	a.Keys[0][0] ^= 0xff // callers get copies
	b, err := e.core.Account(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, []byte("k1"), b.Keys[0])

	require.NoError(t, e.core.CreateAccount(e.ctx, blobstore.AccountSpec{Name: acct, Keys: [][]byte{[]byte("k2")}}))
	b, err = e.core.Account(e.ctx, acct)
	require.NoError(t, err)
	assert.Equal(t, []byte("k2"), b.Keys[0], "regenerated keys show at once")

	require.NoError(t, e.core.DeleteAccount(e.ctx, acct))
	_, err = e.core.Account(e.ctx, acct)
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound)
}
