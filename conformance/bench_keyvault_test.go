package conformance

// Benchmarks of Key Vault secrets and certificates through the official SDKs
// over TLS with a real credential:
//
//	go test ./conformance -run '^$' -bench 'GetSecret|CreateCertificate' -benchtime 3s
//
// BenchmarkGetSecret runs Get Secret with 16 concurrent clients against
// azemu and, as its ceiling, against a bare TLS handler that answers the
// bearer challenge and then returns one fixed SecretBundle (no vault, no
// authorisation, no decryption). BenchmarkCreateCertificate creates
// self-signed RSA-2048 certificates one after another (key generation,
// signing, PKCS#12, sealing and persisting the certificate, key and secret).

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/stretchr/testify/require"
)

// bareSecretHandler answers a request without a token with Key Vault's
// challenge and any request with a token with a fixed secret.
func bareSecretHandler(authority string) http.Handler {
	body := []byte(`{"value":"benchmark-value","id":"https://localhost/secrets/bench/0123456789abcdef0123456789abcdef",` +
		`"attributes":{"enabled":true,"created":1700000000,"updated":1700000000,"recoveryLevel":"Recoverable","recoverableDays":90}}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			w.Header().Set("WWW-Authenticate", `Bearer authorization="`+authority+`", resource="https://vault.azure.net"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})
}

func BenchmarkGetSecret(b *testing.B) {
	emu := startAzemu(b, withDataDir(b.TempDir()))
	cred := devCredential(b, emu)
	opts := clientOptions(emu)
	az, err := azsecrets.NewClient(emu.DevVaultURL(), cred, &azsecrets.ClientOptions{ClientOptions: opts})
	require.NoError(b, err)
	_, err = az.SetSecret(context.Background(), "bench", azsecrets.SetSecretParameters{Value: to.Ptr("benchmark-value")}, nil)
	require.NoError(b, err)

	bare := httptest.NewTLSServer(bareSecretHandler(emu.VaultURL() + "/" + "00000000-0000-4000-8000-000000000000"))
	b.Cleanup(bare.Close)
	bareOpts := opts
	tr := bare.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64 // as azemu's client keeps them: no TLS handshake per request
	b.Cleanup(tr.CloseIdleConnections)
	bareOpts.Transport = &http.Client{Transport: tr}
	bc, err := azsecrets.NewClient(bare.URL, cred, &azsecrets.ClientOptions{ClientOptions: bareOpts, DisableChallengeResourceVerification: true})
	require.NoError(b, err)

	for _, t := range []struct {
		name   string
		client *azsecrets.Client
	}{{"azemu", az}, {"bare", bc}} {
		b.Run(t.name, func(b *testing.B) {
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			var failed atomic.Bool
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := t.client.GetSecret(context.Background(), "bench", "", nil)
					if err != nil || *res.Value != "benchmark-value" {
						if failed.CompareAndSwap(false, true) {
							b.Errorf("get secret: %v", err)
						}
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
		})
	}
}

func BenchmarkCreateCertificate(b *testing.B) {
	emu := startAzemu(b, withDataDir(b.TempDir()))
	c := certsClient(b, emu, devCredential(b, emu), emu.DevVaultURL())
	ctx := context.Background()
	policy := selfPolicy("CN=bench.test", "bench.test")
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		op, err := c.CreateCertificate(ctx, fmt.Sprintf("bench%d", i), azcertificates.CreateCertificateParameters{CertificatePolicy: policy}, nil)
		require.NoError(b, err)
		require.Equal(b, "completed", *op.Status)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "certs/s")
}
