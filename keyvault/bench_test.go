package keyvault

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkWrapUnwrapRSA*Service: one WrapKey + UnwrapKey (RSA-OAEP-256, 32
// bytes) through the service in process, with authorisation and all checks;
// compare with conformance's *Direct (raw RSA) and *SDK (HTTPS + azkeys).
func BenchmarkWrapUnwrapRSA2048Service(b *testing.B) { benchService(b, 2048) }
func BenchmarkWrapUnwrapRSA3072Service(b *testing.B) { benchService(b, 3072) }

// BenchmarkKeyState is the cheap check the CMK cache runs per request.
func BenchmarkKeyState(b *testing.B) {
	f := newFixture(b, "")
	ctx := context.Background()
	_, err := f.s.CreateKey(ctx, dev, DevVaultName, "k", CreateKeyParams{Kty: KtyRSA})
	require.NoError(b, err)
	for b.Loop() {
		if _, err := f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchService(b *testing.B, bits int) {
	f := newFixture(b, "")
	ctx := context.Background()
	kb, err := f.s.CreateKey(ctx, dev, DevVaultName, "k", CreateKeyParams{Kty: KtyRSA, KeySize: bits})
	require.NoError(b, err)
	aek := make([]byte, 32)
	for b.Loop() {
		w, err := f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "k", kb.Version}, AlgRSAOAEP256, aek)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.s.UnwrapKey(ctx, dev, KeyRef{DevVaultName, "k", kb.Version}, AlgRSAOAEP256, w.Value); err != nil {
			b.Fatal(err)
		}
	}
}
