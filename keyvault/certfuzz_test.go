package keyvault

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"
)

// testCert makes an EC P-256 certificate and key for seeds.
func testCert(t testing.TB) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "seed"},
		NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1800000000, 0), DNSNames: []string{"seed.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	return k, der
}

// FuzzParseCertificateImport feeds arbitrary PEM text and base64 PKCS#12 to
// the import parser: never a panic, and an accepted import has a key that
// matches its leaf.
func FuzzParseCertificateImport(f *testing.F) {
	k, der := testCert(f)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(f, err)
	k8, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(f, err)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8})) + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	f.Add(pemText, "")
	pfx, err := pkcs12.Modern.Encode(k, leaf, nil, "pw")
	require.NoError(f, err)
	f.Add(base64.StdEncoding.EncodeToString(pfx), "pw")
	f.Add(base64.StdEncoding.EncodeToString(pfx), "wrong")
	f.Add("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "")
	f.Add("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----", "")
	f.Add("not base64 !", "")
	f.Add("MIIB", "")
	f.Fuzz(func(t *testing.T, value, password string) {
		kp, leaf, _, err := ParseCertificateImport(value, password)
		if err != nil {
			requireBadParameter(t, err)
			return
		}
		if !sameKey(kp, leaf.PublicKey) {
			t.Fatal("accepted an import whose key does not match its leaf")
		}
	})
}

// FuzzParseCertificatePolicy feeds arbitrary policy JSON: never a panic, and
// an accepted policy is complete (defaults filled) and stays valid when
// parsed again.
func FuzzParseCertificatePolicy(f *testing.F) {
	for _, s := range []string{
		`{"issuer":{"name":"Self"},"x509_props":{"subject":"CN=a, O=b","validity_months":12}}`,
		`{"key_props":{"kty":"EC","crv":"P-384"},"x509_props":{"sans":{"dns_names":["a.test"],"upns":["u@a.test"]}}}`,
		`{"key_props":{"kty":"RSA","key_size":4096,"reuse_key":true},"secret_props":{"contentType":"application/x-pem-file"},"x509_props":{"subject":"CN=\"x, y\""}}`,
		`{"lifetime_actions":[{"trigger":{"days_before_expiry":30},"action":{"action_type":"EmailContacts"}}],"x509_props":{"subject":"CN=a"}}`,
		`{"x509_props":{"subject":"CN=a","ekus":["1.3.6.1.5.5.7.3.1"],"key_usage":["digitalSignature","cRLSign"]}}`,
		`{"x509_props":{"subject":"=,;\\"}}`, `{}`, `null`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseCertificatePolicy(data)
		if err != nil {
			requireBadParameter(t, err)
			return
		}
		if p.KeyProps == nil || p.SecretProps == nil || p.X509Props == nil || p.Issuer == nil {
			t.Fatal("accepted policy is incomplete")
		}
		again, err := json.Marshal(p)
		require.NoError(t, err)
		if _, err := ParseCertificatePolicy(again); err != nil {
			t.Fatalf("accepted policy fails when parsed again: %v", err)
		}
		if p.X509Props.Subject != "" {
			if _, err := certTemplate(p, big.NewInt(1), time.Unix(1700000000, 0)); err != nil {
				t.Fatalf("accepted policy makes no template: %v", err)
			}
		}
	})
}

// FuzzParseMergeChain feeds arbitrary x5c lists (the certificates a client
// merges into a pending certificate): never a panic.
func FuzzParseMergeChain(f *testing.F) {
	_, der := testCert(f)
	f.Add(der, []byte(nil))
	f.Add(der, der)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, []byte{})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		x5c := [][]byte{a}
		if b != nil {
			x5c = append(x5c, b)
		}
		leaf, _, err := ParseMergeChain(x5c)
		if err != nil {
			requireBadParameter(t, err)
			return
		}
		if leaf == nil {
			t.Fatal("no leaf")
		}
	})
}

func requireBadParameter(t *testing.T, err error) {
	t.Helper()
	if e, ok := err.(*Error); !ok || e.Status != 400 {
		t.Fatalf("want a 400 *Error, got %v", err)
	}
}
