package crypto

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustKey(t testing.TB) Key {
	t.Helper()
	k, err := NewKey()
	require.NoError(t, err)
	return k
}

func TestNewKeyAndIDsAreRandom(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	assert.NotEqual(t, k1, k2)
	assert.NotEqual(t, Key{}, k1)

	f1, err := NewFileID()
	require.NoError(t, err)
	f2, err := NewFileID()
	require.NoError(t, err)
	assert.NotEqual(t, f1, f2)
}

func TestKeyNeverPrints(t *testing.T) {
	k := mustKey(t)
	secret := hex.EncodeToString(k[:])
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		out := fmt.Sprintf(verb, k)
		assert.Equal(t, "[REDACTED]", out, verb)
		assert.NotContains(t, out, secret[:8], verb)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "key", k)
	assert.Contains(t, buf.String(), "key=[REDACTED]")
	assert.NotContains(t, buf.String(), secret[:8])
}

func TestKeyFromBytes(t *testing.T) {
	k := mustKey(t)
	got, err := KeyFromBytes(k[:])
	require.NoError(t, err)
	assert.True(t, got == k)
	for _, n := range []int{0, 1, 31, 33, 64} {
		_, err := KeyFromBytes(make([]byte, n))
		assert.Error(t, err, n)
	}
}

func TestFileIDStringRoundTrip(t *testing.T) {
	id, err := NewFileID()
	require.NoError(t, err)
	s := id.String()
	assert.Len(t, s, 32)
	back, err := ParseFileID(s)
	require.NoError(t, err)
	assert.Equal(t, id, back)
	for _, bad := range []string{"", "00", s + "0", s[:31] + "g"} {
		_, err := ParseFileID(bad)
		assert.Error(t, err, bad)
	}

	kid, err := NewKeyID()
	require.NoError(t, err)
	assert.NotEqual(t, KeyID{}, kid)
	kback, err := ParseKeyID(kid.String())
	require.NoError(t, err)
	assert.Equal(t, kid, kback)
	_, err = ParseKeyID("xyz")
	assert.Error(t, err)
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustKey(t)
	tests := []struct {
		name      string
		plaintext []byte
		aad       []byte
	}{
		{"empty", nil, nil},
		{"empty with aad", []byte{}, []byte("ctx")},
		{"aek", bytes.Repeat([]byte{7}, KeySize), []byte("account/devstoreaccount1")},
		{"large", bytes.Repeat([]byte("abc"), 100000), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := Seal(k, tt.plaintext, tt.aad)
			require.NoError(t, err)
			assert.Len(t, sealed, len(tt.plaintext)+SealOverhead)
			assert.Equal(t, SealVersion1, sealed[0])
			got, err := Open(k, sealed, tt.aad)
			require.NoError(t, err)
			assert.Equal(t, len(tt.plaintext), len(got))
			assert.True(t, bytes.Equal(tt.plaintext, got))
		})
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	k := mustKey(t)
	a, err := Seal(k, []byte("same"), nil)
	require.NoError(t, err)
	b, err := Seal(k, []byte("same"), nil)
	require.NoError(t, err)
	assert.NotEqual(t, a[1:1+NonceSize], b[1:1+NonceSize])
	assert.NotEqual(t, a, b)
}

func TestOpenTamperFailsClosed(t *testing.T) {
	k := mustKey(t)
	aad := []byte("bound")
	sealed, err := Seal(k, []byte("the account encryption key......"), aad)
	require.NoError(t, err)

	// Every single-bit flip anywhere fails: the version byte by dispatch, the
	// nonce, body and tag by authentication.
	for i := range sealed {
		for bit := range 8 {
			bad := bytes.Clone(sealed)
			bad[i] ^= 1 << bit
			pt, err := Open(k, bad, aad)
			assert.Nil(t, pt)
			if i == 0 {
				assert.ErrorIs(t, err, ErrUnsupportedVersion, "byte %d bit %d", i, bit)
			} else {
				assert.ErrorIs(t, err, ErrAuthFailed, "byte %d bit %d", i, bit)
			}
		}
	}

	other := mustKey(t)
	tests := []struct {
		name    string
		key     Key
		sealed  []byte
		aad     []byte
		wantErr error
	}{
		{"wrong key", other, sealed, aad, ErrAuthFailed},
		{"wrong aad", k, sealed, []byte("other"), ErrAuthFailed},
		{"missing aad", k, sealed, nil, ErrAuthFailed},
		{"empty", k, nil, aad, ErrTruncated},
		{"version only", k, sealed[:1], aad, ErrTruncated},
		{"shorter than overhead", k, sealed[:SealOverhead-1], aad, ErrTruncated},
		{"tag cut by one", k, sealed[:len(sealed)-1], aad, ErrAuthFailed},
		{"appended byte", k, append(bytes.Clone(sealed), 0), aad, ErrAuthFailed},
		{"version 0", k, append([]byte{0}, sealed[1:]...), aad, ErrUnsupportedVersion},
		{"version 2", k, append([]byte{2}, sealed[1:]...), aad, ErrUnsupportedVersion},
		{"version 255 alone", k, []byte{255}, aad, ErrUnsupportedVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := Open(tt.key, tt.sealed, tt.aad)
			assert.Nil(t, pt)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}
