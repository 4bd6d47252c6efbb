package keyvault

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"
)

func ecSelfPolicy(subject string) CertificatePolicy {
	return CertificatePolicy{Issuer: &IssuerParams{Name: IssuerSelf}, KeyProps: &CertKeyProps{Kty: KtyEC},
		X509Props: &X509Props{Subject: subject}}
}

func TestParseSubject(t *testing.T) {
	for dn, want := range map[string]string{
		"CN=a":                          "CN=a",
		"CN=a, O=Contoso, C=US":         "C=US,O=Contoso,CN=a",
		`CN="Smith, John", OU=Eng`:      `OU=Eng,CN=Smith\, John`,
		`CN=x\,y;L=Paris`:               `L=Paris,CN=x\,y`,
		"E=ops@contoso.test, CN=mailer": "CN=mailer,1.2.840.113549.1.9.1=#0c106f707340636f6e746f736f2e74657374",
	} {
		n, err := parseSubject(dn)
		require.NoError(t, err, dn)
		assert.Equal(t, want, n.ToRDNSequence().String(), dn)
	}
	for _, bad := range []string{"", "CN", "CN=", "XX=a", `CN="open`, `CN=a\`} {
		_, err := parseSubject(bad)
		requireKVError(t, err, 400, "BadParameter", "")
	}
}

func TestPolicyDefaultsAndRules(t *testing.T) {
	p, err := completePolicy(CertificatePolicy{X509Props: &X509Props{Subject: "CN=a"}}, true)
	require.NoError(t, err)
	assert.Equal(t, KtyRSA, p.KeyProps.Kty)
	assert.Equal(t, 2048, p.KeyProps.KeySize)
	assert.True(t, *p.KeyProps.Exportable)
	assert.Equal(t, ContentTypePKCS12, p.SecretProps.ContentType)
	assert.Equal(t, 12, p.X509Props.ValidityMonths)
	assert.Equal(t, []string{"digitalSignature", "keyEncipherment"}, p.X509Props.KeyUsage)
	assert.Equal(t, IssuerUnknown, p.Issuer.Name)
	require.Len(t, p.LifetimeActions, 1)
	assert.Equal(t, ActionEmailContacts, p.LifetimeActions[0].Action.ActionType)

	self, err := completePolicy(ecSelfPolicy("CN=a"), true)
	require.NoError(t, err)
	assert.Equal(t, ActionAutoRenew, self.LifetimeActions[0].Action.ActionType)
	assert.Equal(t, CurveP256, self.KeyProps.Curve)

	for name, p := range map[string]CertificatePolicy{
		"no subject":      {},
		"P-256K":          {KeyProps: &CertKeyProps{Kty: KtyEC, Curve: CurveP256K}, X509Props: &X509Props{Subject: "CN=a"}},
		"rsa 1024":        {KeyProps: &CertKeyProps{KeySize: 1024}, X509Props: &X509Props{Subject: "CN=a"}},
		"bad ku":          {X509Props: &X509Props{Subject: "CN=a", KeyUsage: []string{"sign"}}},
		"bad eku":         {X509Props: &X509Props{Subject: "CN=a", EKUs: []string{"server"}}},
		"bad san":         {X509Props: &X509Props{SANs: &SANs{Emails: []string{"nope"}}}},
		"two triggers":    {X509Props: &X509Props{Subject: "CN=a"}, LifetimeActions: []CertLifetimeAction{{}}},
		"validity 1201":   {X509Props: &X509Props{Subject: "CN=a", ValidityMonths: 1201}},
		"bad contentType": {SecretProps: &CertSecretProps{ContentType: "text/plain"}, X509Props: &X509Props{Subject: "CN=a"}},
	} {
		_, err := completePolicy(p, true)
		requireKVError(t, err, 400, "BadParameter", "")
		_ = name
	}
}

// TestCertificatesPersistSealed: certificates (a completed one and a pending
// one with its key) survive a restart; no private key or certificate
// secret is on disk in the clear.
func TestCertificatesPersistSealed(t *testing.T) {
	dir := t.TempDir()
	f := newSecretsFixture(t, dir)
	ctx := context.Background()
	_, err := f.s.CreateCertificate(ctx, dev, DevVaultName, "done", CreateCertificateParams{Policy: ecSelfPolicy("CN=done")})
	require.NoError(t, err)
	pending := ecSelfPolicy("CN=pending")
	pending.Issuer.Name = IssuerUnknown
	op, err := f.s.CreateCertificate(ctx, dev, DevVaultName, "pend", CreateCertificateParams{Policy: pending})
	require.NoError(t, err)
	require.Equal(t, OpStatusInProgress, op.Status)
	sec, err := f.s.GetSecret(ctx, dev, DevVaultName, "done", "")
	require.NoError(t, err)
	pfx, err := base64.StdEncoding.DecodeString(sec.Value)
	require.NoError(t, err)
	key, _, _, err := pkcs12.DecodeChain(pfx, "")
	require.NoError(t, err)
	k8, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, f.s.Close())

	f2 := openFixture(t, dir, f.root, f.clock)
	got, err := f2.s.GetCertificate(ctx, dev, DevVaultName, "done", "")
	require.NoError(t, err)
	assert.NotEmpty(t, got.DER)
	op2, err := f2.s.GetCertificateOperation(ctx, dev, DevVaultName, "pend")
	require.NoError(t, err)
	assert.Equal(t, op.CSR, op2.CSR)
	csr, err := x509.ParseCertificateRequest(op2.CSR)
	require.NoError(t, err)
	f2.s.mu.RLock()
	kp := f2.s.vaults[DevVaultName].obj.certs["pend"].op.kp
	f2.s.mu.RUnlock()
	assert.True(t, sameKey(kp, csr.PublicKey), "the pending key survives the restart")
	require.NoError(t, f2.s.Close())
	walkFiles(t, dir, func(path string, data []byte) {
		assert.NotContains(t, string(data), "PRIVATE KEY", path)
		assert.NotContains(t, string(data), string(k8[len(k8)-32:]), path)
		assert.NotContains(t, string(data), sec.Value[:64], path)
	})
}

func TestCertificateEmailContactsOnce(t *testing.T) {
	f := newSecretsFixture(t, "")
	ctx := context.Background()
	p := ecSelfPolicy("CN=mail")
	p.X509Props.ValidityMonths = 1
	a := CertLifetimeAction{}
	a.Trigger.DaysBeforeExpiry = 10
	a.Action.ActionType = ActionEmailContacts
	p.LifetimeActions = []CertLifetimeAction{a}
	_, err := f.s.CreateCertificate(ctx, dev, DevVaultName, "mail", CreateCertificateParams{Policy: p})
	require.NoError(t, err)
	f.clock.Advance(25 * 24 * time.Hour)
	require.NoError(t, f.s.Tick(ctx))
	f.s.mu.RLock()
	cs := f.s.vaults[DevVaultName].obj.certs["mail"]
	f.s.mu.RUnlock()
	assert.Equal(t, cs.latest().version, cs.notified)
	assert.Len(t, cs.versions, 1, "EmailContacts does not renew")
}
