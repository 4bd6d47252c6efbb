package conformance

// Key Vault certificates through the official azcertificates client (and
// azkeys/azsecrets for the certificate's key and secret) with a real
// client-secret credential over TLS. Certificates are checked with Go's
// crypto/x509, and a TLS server started with an exported PKCS#12 is
// accepted by a client that trusts the certificate.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azcertificates"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/azemu/azemu/emulator"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

func certsClient(t testing.TB, emu *emulator.Emulator, cred azcore.TokenCredential, vaultURL string) *azcertificates.Client {
	t.Helper()
	c, err := azcertificates.NewClient(vaultURL, cred, &azcertificates.ClientOptions{ClientOptions: clientOptions(emu)})
	require.NoError(t, err)
	return c
}

func devCerts(t testing.TB, emu *emulator.Emulator) *azcertificates.Client {
	t.Helper()
	return certsClient(t, emu, devCredential(t, emu), emu.DevVaultURL())
}

func selfPolicy(subject string, dns ...string) *azcertificates.CertificatePolicy {
	p := &azcertificates.CertificatePolicy{
		IssuerParameters: &azcertificates.IssuerParameters{Name: to.Ptr("Self")},
		X509CertificateProperties: &azcertificates.X509CertificateProperties{Subject: to.Ptr(subject),
			ValidityInMonths: to.Ptr[int32](12)},
		KeyProperties:    &azcertificates.KeyProperties{KeyType: to.Ptr(azcertificates.KeyTypeRSA), KeySize: to.Ptr[int32](2048), Exportable: to.Ptr(true)},
		SecretProperties: &azcertificates.SecretProperties{ContentType: to.Ptr("application/x-pkcs12")},
	}
	if len(dns) > 0 {
		p.X509CertificateProperties.SubjectAlternativeNames = &azcertificates.SubjectAlternativeNames{}
		for _, d := range dns {
			p.X509CertificateProperties.SubjectAlternativeNames.DNSNames = append(p.X509CertificateProperties.SubjectAlternativeNames.DNSNames, to.Ptr(d))
		}
	}
	return p
}

func parseCER(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

// TestCertificatesSelfSigned creates self-signed certificates of every key
// type and checks them with crypto/x509, then uses the three faces: the
// certificate, its key (sign/verify through azkeys) and its secret (PKCS#12
// with the private key, through azsecrets).
func TestCertificatesSelfSigned(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devCerts(t, emu)
	keys, secrets := devKeys(t, emu), devSecrets(t, emu)

	p := selfPolicy("CN=app.contoso.test, O=Contoso, C=US", "app.contoso.test", "localhost")
	p.X509CertificateProperties.SubjectAlternativeNames.Emails = []*string{to.Ptr("ops@contoso.test")}
	p.X509CertificateProperties.SubjectAlternativeNames.UserPrincipalNames = []*string{to.Ptr("svc@contoso.test")}
	p.X509CertificateProperties.KeyUsage = []*azcertificates.KeyUsageType{to.Ptr(azcertificates.KeyUsageTypeDigitalSignature), to.Ptr(azcertificates.KeyUsageTypeKeyEncipherment)}
	p.X509CertificateProperties.EnhancedKeyUsage = []*string{to.Ptr("1.3.6.1.5.5.7.3.1")}
	op, err := c.CreateCertificate(ctx, "web", azcertificates.CreateCertificateParameters{CertificatePolicy: p,
		Tags: map[string]*string{"app": to.Ptr("web")}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "completed", *op.Status)
	assert.Equal(t, "Self", *op.IssuerParameters.Name)

	got, err := c.GetCertificate(ctx, "web", "", nil)
	require.NoError(t, err)
	cert := parseCER(t, got.CER)
	assert.Equal(t, "app.contoso.test", cert.Subject.CommonName)
	assert.Equal(t, []string{"Contoso"}, cert.Subject.Organization)
	assert.Equal(t, []string{"app.contoso.test", "localhost"}, cert.DNSNames)
	assert.Equal(t, []string{"ops@contoso.test"}, cert.EmailAddresses)
	assert.Equal(t, x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment, cert.KeyUsage)
	assert.Equal(t, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, cert.ExtKeyUsage)
	assert.Equal(t, 2048, cert.PublicKey.(*rsa.PublicKey).N.BitLen())
	require.NoError(t, cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature), "self-signed by its own key")
	assert.WithinDuration(t, cert.NotBefore.AddDate(0, 12, 0), cert.NotAfter, time.Second)
	sum := sha1.Sum(got.CER)
	assert.Equal(t, sum[:], got.X509Thumbprint)
	assert.Equal(t, cert.NotAfter.UTC(), got.Attributes.Expires.UTC())
	assert.Equal(t, "web", *got.Tags["app"])
	require.NotNil(t, got.Policy)
	assert.Equal(t, "CN=app.contoso.test, O=Contoso, C=US", *got.Policy.X509CertificateProperties.Subject)
	version := got.ID.Version()
	assert.Equal(t, version, got.KID.Version())
	assert.Equal(t, version, got.SID.Version())

	// the key: same name and version, sign here, verify with the certificate
	kb, err := keys.GetKey(ctx, "web", version, nil)
	require.NoError(t, err)
	require.NotNil(t, kb.Attributes)
	assert.True(t, *kb.Managed, "the key of a certificate is managed")
	digest := sha256.Sum256([]byte("signed by the certificate's key"))
	sig, err := keys.Sign(ctx, "web", version, azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: digest[:]}, nil)
	require.NoError(t, err)
	require.NoError(t, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest[:], sig.Result))
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, cert.PublicKey.(*rsa.PublicKey), []byte("for the cert key"), nil)
	require.NoError(t, err)
	dec, err := keys.Decrypt(ctx, "web", version, azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: ct}, nil)
	require.NoError(t, err)
	assert.Equal(t, []byte("for the cert key"), dec.Result)
	_, err = keys.DeleteKey(ctx, "web", nil)
	kvError(t, err, 403, "Forbidden", "OperationNotAllowed")

	// the secret: PKCS#12 with the private key; a TLS server runs on it
	sec, err := secrets.GetSecret(ctx, "web", version, nil)
	require.NoError(t, err)
	assert.Equal(t, "application/x-pkcs12", *sec.ContentType)
	assert.True(t, *sec.Managed)
	assert.Equal(t, version, sec.KID.Version())
	pfx, err := base64.StdEncoding.DecodeString(*sec.Value)
	require.NoError(t, err)
	key, leaf, _, err := pkcs12.DecodeChain(pfx, "")
	require.NoError(t, err)
	assert.Equal(t, got.CER, leaf.Raw)
	serveTLSAndDial(t, key, leaf)
	_, err = secrets.SetSecret(ctx, "web", azsecrets.SetSecretParameters{Value: to.Ptr("x")}, nil)
	kvError(t, err, 403, "Forbidden", "OperationNotAllowed")

	// PEM through outContentType
	pemSec, err := secrets.GetSecret(ctx, "web", version, &azsecrets.GetSecretOptions{OutContentType: to.Ptr(azsecrets.ContentTypePEM)})
	require.NoError(t, err)
	assert.Contains(t, *pemSec.Value, "-----BEGIN PRIVATE KEY-----")
	assert.Contains(t, *pemSec.Value, "-----BEGIN CERTIFICATE-----")

	// EC certificates
	for _, crv := range []azcertificates.CurveName{azcertificates.CurveNameP256, azcertificates.CurveNameP384, azcertificates.CurveNameP521} {
		ep := selfPolicy("CN=ec-" + string(crv))
		ep.KeyProperties = &azcertificates.KeyProperties{KeyType: to.Ptr(azcertificates.KeyTypeEC), Curve: to.Ptr(crv), Exportable: to.Ptr(true)}
		name := "ec" + strings.TrimPrefix(string(crv), "P-")
		_, err := c.CreateCertificate(ctx, name, azcertificates.CreateCertificateParameters{CertificatePolicy: ep}, nil)
		require.NoError(t, err)
		g, err := c.GetCertificate(ctx, name, "", nil)
		require.NoError(t, err)
		ec := parseCER(t, g.CER)
		assert.Equal(t, map[azcertificates.CurveName]elliptic.Curve{azcertificates.CurveNameP256: elliptic.P256(),
			azcertificates.CurveNameP384: elliptic.P384(), azcertificates.CurveNameP521: elliptic.P521()}[crv],
			ec.PublicKey.(*ecdsa.PublicKey).Curve)
		require.NoError(t, ec.CheckSignature(ec.SignatureAlgorithm, ec.RawTBSCertificate, ec.Signature))
	}
	// RSA 3072 and 4096, PEM secret
	for _, size := range []int32{3072, 4096} {
		rp := selfPolicy(fmt.Sprintf("CN=rsa%d", size))
		rp.KeyProperties.KeySize = to.Ptr(size)
		rp.SecretProperties.ContentType = to.Ptr("application/x-pem-file")
		name := fmt.Sprintf("rsa%d", size)
		_, err := c.CreateCertificate(ctx, name, azcertificates.CreateCertificateParameters{CertificatePolicy: rp}, nil)
		require.NoError(t, err)
		s, err := secrets.GetSecret(ctx, name, "", nil)
		require.NoError(t, err)
		assert.Equal(t, "application/x-pem-file", *s.ContentType)
		blk, _ := pem.Decode([]byte(*s.Value))
		require.NotNil(t, blk)
		assert.Equal(t, "PRIVATE KEY", blk.Type)
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		require.NoError(t, err)
		assert.Equal(t, int(size), k.(*rsa.PrivateKey).N.BitLen())
	}

	// bad policies by code
	bad := selfPolicy("CN=x")
	bad.KeyProperties.KeySize = to.Ptr[int32](1024)
	_, err = c.CreateCertificate(ctx, "bad", azcertificates.CreateCertificateParameters{CertificatePolicy: bad}, nil)
	kvError(t, err, 400, "BadParameter", "")
	bad = selfPolicy("NOPE")
	_, err = c.CreateCertificate(ctx, "bad", azcertificates.CreateCertificateParameters{CertificatePolicy: bad}, nil)
	kvError(t, err, 400, "BadParameter", "")
	bad = selfPolicy("CN=x")
	bad.SecretProperties.ContentType = to.Ptr("text/plain")
	_, err = c.CreateCertificate(ctx, "bad", azcertificates.CreateCertificateParameters{CertificatePolicy: bad}, nil)
	kvError(t, err, 400, "BadParameter", "")
	_, err = c.GetCertificate(ctx, "missing", "", nil)
	kvError(t, err, 404, "CertificateNotFound", "")
}

// serveTLSAndDial starts a TLS server with key and leaf and checks a client
// that trusts only leaf completes a request to it.
func serveTLSAndDial(t *testing.T, key any, leaf *x509.Certificate) {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}}})
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello over vault TLS") })}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://localhost:" + port + "/")
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "hello over vault TLS", string(body))
}

// TestCertificatesUnknownIssuerMerge: issuer Unknown leaves the operation
// pending with a CSR; a CA outside the vault signs it and Merge Certificate
// completes the certificate.
func TestCertificatesUnknownIssuerMerge(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devCerts(t, emu)
	p := selfPolicy("CN=merged.contoso.test", "merged.contoso.test")
	p.IssuerParameters.Name = to.Ptr("Unknown")
	op, err := c.CreateCertificate(ctx, "ext", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	assert.Equal(t, "inProgress", *op.Status)
	pending, err := c.GetCertificateOperation(ctx, "ext", nil)
	require.NoError(t, err)
	csr, err := x509.ParseCertificateRequest(pending.CSR)
	require.NoError(t, err)
	require.NoError(t, csr.CheckSignature())
	assert.Equal(t, "merged.contoso.test", csr.Subject.CommonName)
	assert.Equal(t, []string{"merged.contoso.test"}, csr.DNSNames)
	pc, err := c.GetCertificate(ctx, "ext", "", nil)
	require.NoError(t, err, "a pending certificate answers Get Certificate, disabled and without cer")
	assert.Nil(t, pc.CER)
	assert.False(t, *pc.Attributes.Enabled)

	// a CA signs the CSR
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca := parseCER(t, caDER)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: csr.Subject, DNSNames: csr.DNSNames,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(0, 6, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, csr.PublicKey, caKey)
	require.NoError(t, err)

	// a certificate for another key is refused
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	otherDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &otherKey.PublicKey, caKey)
	require.NoError(t, err)
	_, err = c.MergeCertificate(ctx, "ext", azcertificates.MergeCertificateParameters{X509Certificates: [][]byte{otherDER}}, nil)
	kvError(t, err, 400, "BadParameter", "")

	merged, err := c.MergeCertificate(ctx, "ext", azcertificates.MergeCertificateParameters{X509Certificates: [][]byte{leafDER, caDER}}, nil)
	require.NoError(t, err)
	assert.Equal(t, leafDER, merged.CER)
	done, err := c.GetCertificateOperation(ctx, "ext", nil)
	require.NoError(t, err)
	assert.Equal(t, "completed", *done.Status)
	require.NotNil(t, done.Target)

	// the secret holds key, leaf and chain; a client trusting the CA accepts it
	sec, err := devSecrets(t, emu).GetSecret(ctx, "ext", "", nil)
	require.NoError(t, err)
	pfx, err := base64.StdEncoding.DecodeString(*sec.Value)
	require.NoError(t, err)
	key, leaf, chain, err := pkcs12.DecodeChain(pfx, "")
	require.NoError(t, err)
	require.Len(t, chain, 1)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "merged.contoso.test"})
	require.NoError(t, err)
	assert.True(t, key.(*rsa.PrivateKey).PublicKey.Equal(leaf.PublicKey))

	// cancel and delete a pending operation
	_, err = c.CreateCertificate(ctx, "cancelme", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	cancelled, err := c.UpdateCertificateOperation(ctx, "cancelme", azcertificates.UpdateCertificateOperationParameter{CancellationRequested: to.Ptr(true)}, nil)
	require.NoError(t, err)
	assert.True(t, *cancelled.CancellationRequested)
	assert.Equal(t, "cancelled", *cancelled.Status)
	_, err = c.MergeCertificate(ctx, "cancelme", azcertificates.MergeCertificateParameters{X509Certificates: [][]byte{leafDER}}, nil)
	kvError(t, err, 404, "CertificateOperationNotFound", "")
	_, err = c.DeleteCertificateOperation(ctx, "cancelme", nil)
	require.NoError(t, err)
	_, err = c.GetCertificateOperation(ctx, "cancelme", nil)
	kvError(t, err, 404, "CertificateOperationNotFound", "")
}

// TestCertificatesImport imports PKCS#12 with and without password and PEM.
func TestCertificatesImport(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devCerts(t, emu)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "imported.test"}, DNSNames: []string{"imported.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf := parseCER(t, der)

	for _, tc := range []struct{ name, pwd string }{{"pfx-pwd", "s3cret"}, {"pfx-nopwd", ""}} {
		pfx, err := pkcs12.Modern.Encode(key, leaf, nil, tc.pwd)
		require.NoError(t, err)
		imp, err := c.ImportCertificate(ctx, tc.name, azcertificates.ImportCertificateParameters{
			Base64EncodedCertificate: to.Ptr(base64.StdEncoding.EncodeToString(pfx)), Password: to.Ptr(tc.pwd)}, nil)
		require.NoError(t, err, tc.name)
		assert.Equal(t, der, imp.CER)
		assert.Equal(t, "CN=imported.test", *imp.Policy.X509CertificateProperties.Subject)
	}
	pfx, err := pkcs12.Modern.Encode(key, leaf, nil, "right")
	require.NoError(t, err)
	_, err = c.ImportCertificate(ctx, "wrongpwd", azcertificates.ImportCertificateParameters{
		Base64EncodedCertificate: to.Ptr(base64.StdEncoding.EncodeToString(pfx)), Password: to.Ptr("wrong")}, nil)
	kvError(t, err, 400, "BadParameter", "")

	k8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8})) + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	imp, err := c.ImportCertificate(ctx, "pem", azcertificates.ImportCertificateParameters{Base64EncodedCertificate: to.Ptr(pemText),
		CertificatePolicy: &azcertificates.CertificatePolicy{SecretProperties: &azcertificates.SecretProperties{ContentType: to.Ptr("application/x-pem-file")}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, der, imp.CER)
	s, err := devSecrets(t, emu).GetSecret(ctx, "pem", "", nil)
	require.NoError(t, err)
	assert.Equal(t, "application/x-pem-file", *s.ContentType)
	assert.Contains(t, *s.Value, "BEGIN PRIVATE KEY")

	certOnly := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	_, err = c.ImportCertificate(ctx, "nokey", azcertificates.ImportCertificateParameters{Base64EncodedCertificate: to.Ptr(certOnly)}, nil)
	kvError(t, err, 400, "BadParameter", "")
	_, err = c.ImportCertificate(ctx, "garbage", azcertificates.ImportCertificateParameters{Base64EncodedCertificate: to.Ptr("bm90IGEgcGZ4")}, nil)
	kvError(t, err, 400, "BadParameter", "")
}

// TestCertificatesLifecycle: versions, list, update (disable mirrored to key
// and secret), policy, non-exportable secret, delete/recover/purge,
// backup/restore, issuers and contacts.
func TestCertificatesLifecycle(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devCerts(t, emu)
	keys, secrets := devKeys(t, emu), devSecrets(t, emu)
	p := selfPolicy("CN=life")
	p.KeyProperties.Exportable = to.Ptr(false)
	_, err := c.CreateCertificate(ctx, "life", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	_, err = c.CreateCertificate(ctx, "life", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	versions := 0
	vp := c.NewListCertificatePropertiesVersionsPager("life", nil)
	for vp.More() {
		page, err := vp.NextPage(ctx)
		require.NoError(t, err)
		versions += len(page.Value)
	}
	assert.Equal(t, 2, versions)
	for i := range 26 {
		_, err := c.CreateCertificate(ctx, fmt.Sprintf("many%02d", i), azcertificates.CreateCertificateParameters{CertificatePolicy: selfPolicy("CN=many")}, nil)
		require.NoError(t, err)
	}
	names, pages := 0, 0
	lp := c.NewListCertificatePropertiesPager(nil)
	for lp.More() {
		page, err := lp.NextPage(ctx)
		require.NoError(t, err)
		pages++
		names += len(page.Value)
	}
	assert.Equal(t, 27, names)
	assert.Equal(t, 2, pages)

	// non-exportable: the secret has the certificate but not the key
	sec, err := secrets.GetSecret(ctx, "life", "", nil)
	require.NoError(t, err)
	pfx, err := base64.StdEncoding.DecodeString(*sec.Value)
	require.NoError(t, err)
	_, _, _, err = pkcs12.DecodeChain(pfx, "")
	require.Error(t, err, "no private key in a non-exportable certificate's secret")
	trust, err := pkcs12.DecodeTrustStore(pfx, "")
	require.NoError(t, err)
	require.Len(t, trust, 1)

	// disable: the key and the secret follow
	upd, err := c.UpdateCertificate(ctx, "life", "", azcertificates.UpdateCertificateParameters{
		CertificateAttributes: &azcertificates.CertificateAttributes{Enabled: to.Ptr(false)}, Tags: map[string]*string{"state": to.Ptr("off")}}, nil)
	require.NoError(t, err)
	assert.False(t, *upd.Attributes.Enabled)
	_, err = secrets.GetSecret(ctx, "life", "", nil)
	kvError(t, err, 403, "Forbidden", "SecretDisabled")
	_, err = keys.Sign(ctx, "life", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: make([]byte, 32)}, nil)
	kvError(t, err, 403, "Forbidden", "KeyDisabled")
	_, err = c.UpdateCertificate(ctx, "life", "", azcertificates.UpdateCertificateParameters{
		CertificateAttributes: &azcertificates.CertificateAttributes{Enabled: to.Ptr(true)}}, nil)
	require.NoError(t, err)

	// policy
	pol, err := c.GetCertificatePolicy(ctx, "life", nil)
	require.NoError(t, err)
	assert.False(t, *pol.KeyProperties.Exportable)
	pol2, err := c.UpdateCertificatePolicy(ctx, "life", azcertificates.CertificatePolicy{
		X509CertificateProperties: &azcertificates.X509CertificateProperties{Subject: to.Ptr("CN=life2"), ValidityInMonths: to.Ptr[int32](6)}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "CN=life2", *pol2.X509CertificateProperties.Subject)
	assert.Equal(t, "Self", *pol2.IssuerParameters.Name, "parts not given stay")

	// backup, delete, recover, restore elsewhere, purge refused
	bk, err := c.BackupCertificate(ctx, "life", nil)
	require.NoError(t, err)
	del, err := c.DeleteCertificate(ctx, "life", nil)
	require.NoError(t, err)
	require.NotNil(t, del.RecoveryID)
	_, err = c.GetCertificate(ctx, "life", "", nil)
	kvError(t, err, 404, "CertificateNotFound", "")
	_, err = keys.GetKey(ctx, "life", "", nil)
	kvError(t, err, 404, "KeyNotFound", "")
	_, err = secrets.GetSecret(ctx, "life", "", nil)
	kvError(t, err, 404, "SecretNotFound", "")
	_, err = c.CreateCertificate(ctx, "life", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	kvError(t, err, 409, "Conflict", "ObjectIsDeletedButRecoverable")
	_, err = c.GetDeletedCertificate(ctx, "life", nil)
	require.NoError(t, err)
	dp := c.NewListDeletedCertificatePropertiesPager(nil)
	page, err := dp.NextPage(ctx)
	require.NoError(t, err)
	assert.Len(t, page.Value, 1)
	_, err = c.PurgeDeletedCertificate(ctx, "life", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByPolicy")
	_, err = c.RecoverDeletedCertificate(ctx, "life", nil)
	require.NoError(t, err)
	_, err = keys.GetKey(ctx, "life", "", nil)
	require.NoError(t, err, "the key comes back with the certificate")
	_, err = c.RestoreCertificate(ctx, azcertificates.RestoreCertificateParameters{CertificateBackup: bk.Value}, nil)
	kvError(t, err, 409, "Conflict", "")

	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "second", TenantID: emulator.DevTenantID,
		SoftDeleteRetentionDays: 7, AccessPolicies: []keyvault.AccessPolicy{{TenantID: emulator.DevTenantID, ObjectID: emulator.DevObjectID,
			Keys: []string{"all"}, Secrets: []string{"all"}, Certificates: []string{"all"}}}})
	require.NoError(t, err)
	c2 := certsClient(t, emu, devCredential(t, emu), vaultURL(emu, "second"))
	res, err := c2.RestoreCertificate(ctx, azcertificates.RestoreCertificateParameters{CertificateBackup: bk.Value}, nil)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(*res.ID), "https://second.vault.localhost:"))
	k2 := keysClient(t, emu, devCredential(t, emu), vaultURL(emu, "second"))
	_, err = k2.Sign(ctx, "life", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: make([]byte, 32)}, nil)
	require.NoError(t, err, "the restored certificate's key signs")
	_, err = c2.DeleteCertificate(ctx, "life", nil)
	require.NoError(t, err)
	_, err = c2.PurgeDeletedCertificate(ctx, "life", nil)
	require.NoError(t, err)
	_, err = c2.GetDeletedCertificate(ctx, "life", nil)
	kvError(t, err, 404, "CertificateNotFound", "")
	_, err = k2.GetDeletedKey(ctx, "life", nil)
	kvError(t, err, 404, "KeyNotFound", "")

	// issuers
	iss, err := c.SetIssuer(ctx, "digi", azcertificates.SetIssuerParameters{Provider: to.Ptr("DigiCert"),
		Credentials: &azcertificates.IssuerCredentials{AccountID: to.Ptr("acct"), Password: to.Ptr("issuer-password")},
		OrganizationDetails: &azcertificates.OrganizationDetails{ID: to.Ptr("org1"), AdminContacts: []*azcertificates.AdministratorContact{
			{FirstName: to.Ptr("Ada"), LastName: to.Ptr("Admin"), Email: to.Ptr("ada@contoso.test")}}}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "DigiCert", *iss.Provider)
	assert.Nil(t, iss.Credentials.Password, "the password is never returned")
	gi, err := c.GetIssuer(ctx, "digi", nil)
	require.NoError(t, err)
	assert.Equal(t, "acct", *gi.Credentials.AccountID)
	ui, err := c.UpdateIssuer(ctx, "digi", azcertificates.UpdateIssuerParameters{Attributes: &azcertificates.IssuerAttributes{Enabled: to.Ptr(false)}}, nil)
	require.NoError(t, err)
	assert.False(t, *ui.Attributes.Enabled)
	assert.Equal(t, "DigiCert", *ui.Provider)
	ip := c.NewListIssuerPropertiesPager(nil)
	ipage, err := ip.NextPage(ctx)
	require.NoError(t, err)
	require.Len(t, ipage.Value, 1)
	_, err = c.DeleteIssuer(ctx, "digi", nil)
	require.NoError(t, err)
	_, err = c.GetIssuer(ctx, "digi", nil)
	kvError(t, err, 404, "CertificateIssuerNotFound", "")

	// contacts
	_, err = c.GetContacts(ctx, nil)
	kvError(t, err, 404, "ContactsNotFound", "")
	sc, err := c.SetContacts(ctx, azcertificates.Contacts{ContactList: []*azcertificates.Contact{{Email: to.Ptr("pki@contoso.test"), Name: to.Ptr("PKI")}}}, nil)
	require.NoError(t, err)
	require.Len(t, sc.ContactList, 1)
	gc, err := c.GetContacts(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "pki@contoso.test", *gc.ContactList[0].Email)
	_, err = c.DeleteContacts(ctx, nil)
	require.NoError(t, err)
	_, err = c.GetContacts(ctx, nil)
	kvError(t, err, 404, "ContactsNotFound", "")
}

// TestCertificatesAutoRenewOnClock: AutoRenew at a percentage of the
// lifetime makes a new version when the emulator clock gets there.
func TestCertificatesAutoRenewOnClock(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devCerts(t, emu)
	p := selfPolicy("CN=renew")
	p.X509CertificateProperties.ValidityInMonths = to.Ptr[int32](1)
	p.LifetimeActions = []*azcertificates.LifetimeAction{{Trigger: &azcertificates.LifetimeActionTrigger{LifetimePercentage: to.Ptr[int32](50)},
		Action: &azcertificates.LifetimeActionType{ActionType: to.Ptr(azcertificates.CertificatePolicyActionAutoRenew)}}}
	_, err := c.CreateCertificate(ctx, "renew", azcertificates.CreateCertificateParameters{CertificatePolicy: p}, nil)
	require.NoError(t, err)
	first, err := c.GetCertificate(ctx, "renew", "", nil)
	require.NoError(t, err)
	emu.AdvanceClock(ctx, 10*24*time.Hour)
	same, err := c.GetCertificate(ctx, "renew", "", nil)
	require.NoError(t, err)
	assert.Equal(t, first.ID.Version(), same.ID.Version(), "not due yet")
	emu.AdvanceClock(ctx, 6*24*time.Hour)
	renewed, err := c.GetCertificate(ctx, "renew", "", nil)
	require.NoError(t, err)
	assert.NotEqual(t, first.ID.Version(), renewed.ID.Version(), "renewed at half of its lifetime")
	assert.True(t, renewed.Attributes.Expires.After(*first.Attributes.Expires))
	_, err = devKeys(t, emu).GetKey(ctx, "renew", renewed.ID.Version(), nil)
	require.NoError(t, err, "the new version has its key")

	bad := selfPolicy("CN=x")
	bad.IssuerParameters.Name = to.Ptr("Unknown")
	bad.LifetimeActions = p.LifetimeActions
	_, err = c.CreateCertificate(ctx, "bad", azcertificates.CreateCertificateParameters{CertificatePolicy: bad}, nil)
	kvError(t, err, 400, "BadParameter", "")
}

// TestCertificatesAccess: a principal without certificate permissions is
// refused; Certificates Officer and Certificate User roles on an RBAC vault.
func TestCertificatesAccess(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	_, err := devCerts(t, emu).CreateCertificate(ctx, "guarded", azcertificates.CreateCertificateParameters{CertificatePolicy: selfPolicy("CN=g")}, nil)
	require.NoError(t, err)
	p, err := emu.Identity().RegisterPrincipal(ctx, identity.ServicePrincipalSpec{TenantID: emulator.DevTenantID,
		ClientID: "55555555-0000-4000-8000-000000000005", ObjectID: "55555555-0000-4000-8000-0000000000a5",
		DisplayName: "certs", Secret: "other-secret"})
	require.NoError(t, err)
	cred := secretCredential(t, emu, p.ClientID, "other-secret")
	other := certsClient(t, emu, cred, emu.DevVaultURL())
	_, err = other.GetCertificate(ctx, "guarded", "", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = other.GetContacts(ctx, nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = emu.Vault().UpdateAccessPolicies(ctx, emulator.DevVaultName, keyvault.AccessPolicyAdd, []keyvault.AccessPolicy{
		{TenantID: emulator.DevTenantID, ObjectID: p.ObjectID, Certificates: []string{"get", "list"}}})
	require.NoError(t, err)
	_, err = other.GetCertificate(ctx, "guarded", "", nil)
	require.NoError(t, err)
	_, err = other.DeleteCertificate(ctx, "guarded", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")
	_, err = secretsClient(t, emu, cred, emu.DevVaultURL()).GetSecret(ctx, "guarded", "", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")

	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "rbacvault", TenantID: emulator.DevTenantID, EnableRBACAuthorization: true})
	require.NoError(t, err)
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: emulator.DevObjectID, RoleDefinition: keyvault.RoleKeyVaultCertificatesOfficer})
	require.NoError(t, err)
	_, err = certsClient(t, emu, devCredential(t, emu), vaultURL(emu, "rbacvault")).CreateCertificate(ctx, "r",
		azcertificates.CreateCertificateParameters{CertificatePolicy: selfPolicy("CN=r")}, nil)
	require.NoError(t, err)
	rc := certsClient(t, emu, cred, vaultURL(emu, "rbacvault"))
	_, err = rc.GetCertificate(ctx, "r", "", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: p.ObjectID, RoleDefinition: keyvault.RoleKeyVaultCertificateUser})
	require.NoError(t, err)
	_, err = rc.GetCertificate(ctx, "r", "", nil)
	require.NoError(t, err)
	sec, err := secretsClient(t, emu, cred, vaultURL(emu, "rbacvault")).GetSecret(ctx, "r", "", nil)
	require.NoError(t, err, "Certificate User reads the certificate's secret")
	assert.NotEmpty(t, *sec.Value)
	_, err = rc.DeleteCertificate(ctx, "r", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByRbac")
}
