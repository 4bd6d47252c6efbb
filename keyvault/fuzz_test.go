package keyvault

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseJWK feeds arbitrary JSON Web Keys to the import validator: it must
// never panic, and an accepted key must round-trip through privateJWK.
func FuzzParseJWK(f *testing.F) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(f, err)
	good, _ := json.Marshal(privateJWK(priv))
	f.Add(good)
	k1, err := newK1Curve().generate(rand.Reader)
	require.NoError(f, err)
	k1j, _ := json.Marshal(privateJWK(k1))
	f.Add(k1j)
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA","d":"AQ"}`))
	f.Add([]byte(`{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQ","p":"Aw","q":"Aw"}`))
	f.Add([]byte(`{"kty":"oct","k":"AAAA"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var j JSONWebKey
		if json.Unmarshal(data, &j) != nil {
			return
		}
		kp, _, err := parseJWK(j)
		if err != nil {
			return
		}
		again, _, err := parseJWK(privateJWK(kp))
		if err != nil {
			t.Fatalf("accepted key does not round-trip: %v", err)
		}
		_ = again
	})
}

// FuzzParseDuration: ISO-8601 durations of rotation policies.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"P90D", "P2Y", "P1M", "PT36H", "P1Y2M3W4DT5H6M7S", "P", "PT", "P-1D"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseDuration(s)
	})
}

// FuzzRestoreKey: restore must reject arbitrary blobs without panicking.
func FuzzRestoreKey(f *testing.F) {
	f.Add([]byte("AZKVBK01"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, blob []byte) {
		fx := newFixture(t, "")
		_, err := fx.s.RestoreKey(context.Background(), dev, DevVaultName, blob)
		if err == nil {
			t.Fatal("random blob restored")
		}
	})
}
