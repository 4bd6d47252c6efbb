package keyvault

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	azcrypto "github.com/azemu/azemu/crypto"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var dev = Caller{ObjectID: DevObjectID, TenantID: DevTenantID, AppID: DevClientID}
var stranger = Caller{ObjectID: "11111111-1111-4111-8111-111111111111", TenantID: DevTenantID, AppID: "app2"}

func devSpec() VaultSpec {
	return VaultSpec{Name: DevVaultName, TenantID: DevTenantID, EnablePurgeProtection: true,
		AccessPolicies: []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"all"}}}}
}

type fixture struct {
	s     *Service
	clock *fakeClock
	root  azcrypto.Key
}

func newFixture(t testing.TB, dataDir string) *fixture {
	t.Helper()
	root, err := azcrypto.NewKey()
	require.NoError(t, err)
	return openFixture(t, dataDir, root, &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
}

func openFixture(t testing.TB, dataDir string, root azcrypto.Key, clk *fakeClock) *fixture {
	t.Helper()
	s, err := Open(Config{DataDir: dataDir, RootKey: root, Now: clk.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.EnsureVault(context.Background(), devSpec())
	require.NoError(t, err)
	return &fixture{s: s, clock: clk, root: root}
}

func requireKVError(t *testing.T, err error, status int, code, inner string) {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %v", err)
	assert.Equal(t, status, e.Status, e.Error())
	assert.Equal(t, code, e.Code, e.Error())
	assert.Equal(t, inner, e.Inner, e.Error())
}

func (f *fixture) rsaKey(t *testing.T, name string, p CreateKeyParams) KeyBundle {
	t.Helper()
	if p.Kty == "" {
		p.Kty = KtyRSA
	}
	kb, err := f.s.CreateKey(context.Background(), dev, DevVaultName, name, p)
	require.NoError(t, err)
	return kb
}

func pubRSA(kb KeyBundle) *rsa.PublicKey {
	return &rsa.PublicKey{N: new(big.Int).SetBytes(kb.Key.N), E: int(new(big.Int).SetBytes(kb.Key.E).Int64())}
}

func TestCreateKeyTypes(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	tests := []struct {
		name string
		p    CreateKeyParams
		ok   bool
	}{
		{"rsa-default", CreateKeyParams{Kty: KtyRSA}, true},
		{"rsa-3072", CreateKeyParams{Kty: KtyRSA, KeySize: 3072}, true},
		{"rsa-hsm", CreateKeyParams{Kty: KtyRSAHSM, KeySize: 2048}, true},
		{"ec-default", CreateKeyParams{Kty: KtyEC}, true},
		{"ec-384", CreateKeyParams{Kty: KtyEC, Curve: CurveP384}, true},
		{"ec-521", CreateKeyParams{Kty: KtyECHSM, Curve: CurveP521}, true},
		{"ec-256k", CreateKeyParams{Kty: KtyEC, Curve: CurveP256K}, true},
		{"rsa-1024", CreateKeyParams{Kty: KtyRSA, KeySize: 1024}, false},
		{"rsa-exp3", CreateKeyParams{Kty: KtyRSA, PublicExponent: 3}, false},
		{"ec-bad", CreateKeyParams{Kty: KtyEC, Curve: "P-192"}, false},
		{"oct", CreateKeyParams{Kty: KtyOct}, false},
		{"oct-hsm", CreateKeyParams{Kty: KtyOctHSM}, false},
		{"none", CreateKeyParams{}, false},
		{"badop", CreateKeyParams{Kty: KtyEC, KeyOps: []string{"encrypt"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kb, err := f.s.CreateKey(ctx, dev, DevVaultName, tc.name, tc.p)
			if !tc.ok {
				requireKVError(t, err, 400, CodeBadParameter, "")
				return
			}
			require.NoError(t, err)
			assert.Len(t, kb.Version, 32)
			assert.Equal(t, tc.p.Kty, kb.Key.Kty)
			assert.True(t, kb.Attributes.Enabled)
			assert.Equal(t, "Recoverable", kb.Attributes.RecoveryLevel)
			assert.Equal(t, 90, kb.Attributes.RecoverableDays)
			assert.Empty(t, kb.Key.D)
		})
	}
	_, err := f.s.CreateKey(ctx, dev, DevVaultName, "bad_name", CreateKeyParams{Kty: KtyRSA})
	requireKVError(t, err, 400, CodeBadParameter, "")
}

func TestCryptoRoundTripsCheckedLocally(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	kb := f.rsaKey(t, "rsa", CreateKeyParams{})
	pub := pubRSA(kb)
	for _, alg := range []string{AlgRSA15, AlgRSAOAEP, AlgRSAOAEP256} {
		t.Run(alg, func(t *testing.T) {
			plain := []byte("thirty-two bytes of key material")
			var ct []byte
			var err error
			switch alg {
			case AlgRSA15:
				ct, err = rsa.EncryptPKCS1v15(rand.Reader, pub, plain)
			case AlgRSAOAEP:
				ct, err = rsa.EncryptOAEP(crypto.SHA1.New(), rand.Reader, pub, plain, nil)
			default:
				ct, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, plain, nil)
			}
			require.NoError(t, err)
			res, err := f.s.Decrypt(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, KeyOperationParams{Algorithm: alg, Value: ct})
			require.NoError(t, err)
			assert.Equal(t, plain, res.Value)
			assert.Equal(t, kb.Version, res.Version)
			w, err := f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "rsa", kb.Version}, alg, plain)
			require.NoError(t, err)
			u, err := f.s.UnwrapKey(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, alg, w.Value)
			require.NoError(t, err)
			assert.Equal(t, plain, u.Value)
		})
	}
	_, err := f.s.Decrypt(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, KeyOperationParams{Algorithm: AlgRSAOAEP256, Value: make([]byte, 256)})
	requireKVError(t, err, 400, CodeBadParameter, "")
	_, err = f.s.Encrypt(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, KeyOperationParams{Algorithm: "A256KW", Value: []byte("x")})
	requireKVError(t, err, 400, CodeBadParameter, "")
}

func TestSignVerifyAllAlgorithms(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	rsaKB := f.rsaKey(t, "rsa", CreateKeyParams{})
	d256 := sha256.Sum256([]byte("hello"))
	d384 := sha512.Sum384([]byte("hello"))
	d512 := sha512.Sum512([]byte("hello"))
	for _, tc := range []struct {
		alg    string
		digest []byte
		hash   crypto.Hash
	}{{"RS256", d256[:], crypto.SHA256}, {"RS384", d384[:], crypto.SHA384}, {"RS512", d512[:], crypto.SHA512},
		{"PS256", d256[:], crypto.SHA256}, {"PS384", d384[:], crypto.SHA384}, {"PS512", d512[:], crypto.SHA512}} {
		res, err := f.s.Sign(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, tc.alg, tc.digest)
		require.NoError(t, err, tc.alg)
		if tc.alg[0] == 'R' {
			assert.NoError(t, rsa.VerifyPKCS1v15(pubRSA(rsaKB), tc.hash, tc.digest, res.Value), tc.alg)
		} else {
			assert.NoError(t, rsa.VerifyPSS(pubRSA(rsaKB), tc.hash, tc.digest, res.Value, nil), tc.alg)
		}
		ok, err := f.s.Verify(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, tc.alg, tc.digest, res.Value)
		require.NoError(t, err)
		assert.True(t, ok)
		bad := bytes.Clone(res.Value)
		bad[0] ^= 1
		ok, err = f.s.Verify(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, tc.alg, tc.digest, bad)
		require.NoError(t, err)
		assert.False(t, ok)
	}
	_, err := f.s.Sign(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, "RS256", d384[:])
	requireKVError(t, err, 400, CodeBadParameter, "")
	_, err = f.s.Sign(ctx, dev, KeyRef{DevVaultName, "rsa", ""}, "ES256", d256[:])
	requireKVError(t, err, 400, CodeBadParameter, "")

	for _, tc := range []struct {
		crv, alg string
		digest   []byte
	}{{CurveP256, "ES256", d256[:]}, {CurveP384, "ES384", d384[:]}, {CurveP521, "ES512", d512[:]}, {CurveP256K, "ES256K", d256[:]}} {
		name := "ec-" + tc.alg
		kb, err := f.s.CreateKey(ctx, dev, DevVaultName, name, CreateKeyParams{Kty: KtyEC, Curve: tc.crv})
		require.NoError(t, err)
		res, err := f.s.Sign(ctx, dev, KeyRef{DevVaultName, name, ""}, tc.alg, tc.digest)
		require.NoError(t, err, tc.alg)
		n := curveBytes(tc.crv)
		require.Len(t, res.Value, 2*n)
		if c := stdCurve(tc.crv); c != nil {
			pub := &ecdsa.PublicKey{Curve: c, X: new(big.Int).SetBytes(kb.Key.X), Y: new(big.Int).SetBytes(kb.Key.Y)}
			assert.True(t, ecdsa.Verify(pub, tc.digest, new(big.Int).SetBytes(res.Value[:n]), new(big.Int).SetBytes(res.Value[n:])), tc.alg)
		}
		ok, err := f.s.Verify(ctx, dev, KeyRef{DevVaultName, name, ""}, tc.alg, tc.digest, res.Value)
		require.NoError(t, err)
		assert.True(t, ok, tc.alg)
		bad := bytes.Clone(res.Value)
		bad[5] ^= 1
		ok, err = f.s.Verify(ctx, dev, KeyRef{DevVaultName, name, ""}, tc.alg, tc.digest, bad)
		require.NoError(t, err)
		assert.False(t, ok, tc.alg)
	}
}

// A known secp256k1 vector: private key 1 has the generator as public key;
// check the point arithmetic against k=2 computed independently.
func TestSecp256k1Arithmetic(t *testing.T) {
	c := newK1Curve()
	assert.True(t, c.onCurve(c.gx, c.gy))
	x2, y2 := c.mul(c.gx, c.gy, big.NewInt(2))
	assert.Equal(t, "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5", x2.Text(16))
	assert.True(t, c.onCurve(x2, y2))
	x, _ := c.mul(c.gx, c.gy, new(big.Int).Sub(c.n, big.NewInt(1)))
	assert.Equal(t, 0, x.Cmp(c.gx), "(n-1)G = -G")
	nx, _ := c.mul(c.gx, c.gy, c.n)
	assert.Nil(t, nx, "nG = infinity")
}

func TestDisabledKeyRefusesEveryCryptoOp(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.rsaKey(t, "k", CreateKeyParams{})
	w, err := f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, AlgRSAOAEP256, []byte("x"))
	require.NoError(t, err)
	sig, err := f.s.Sign(ctx, dev, KeyRef{DevVaultName, "k", ""}, "RS256", make([]byte, 32))
	require.NoError(t, err)
	off := false
	kb, err := f.s.UpdateKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, UpdateKeyParams{Attributes: AttributesUpdate{Enabled: &off}})
	require.NoError(t, err)
	assert.False(t, kb.Attributes.Enabled)
	got, err := f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err, "GET of a disabled key is 200")
	assert.False(t, got.Attributes.Enabled)
	p := KeyOperationParams{Algorithm: AlgRSAOAEP256, Value: w.Value}
	for name, op := range map[string]func() error{
		"encrypt": func() error { _, err := f.s.Encrypt(ctx, dev, KeyRef{DevVaultName, "k", ""}, p); return err },
		"decrypt": func() error { _, err := f.s.Decrypt(ctx, dev, KeyRef{DevVaultName, "k", ""}, p); return err },
		"wrap": func() error {
			_, err := f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, p.Algorithm, []byte("x"))
			return err
		},
		"unwrap": func() error {
			_, err := f.s.UnwrapKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, p.Algorithm, w.Value)
			return err
		},
		"sign": func() error {
			_, err := f.s.Sign(ctx, dev, KeyRef{DevVaultName, "k", ""}, "RS256", make([]byte, 32))
			return err
		},
		"verify": func() error {
			_, err := f.s.Verify(ctx, dev, KeyRef{DevVaultName, "k", ""}, "RS256", make([]byte, 32), sig.Value)
			return err
		},
		"keystate": func() error { _, err := f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""}); return err },
	} {
		err := op()
		requireKVError(t, err, 403, CodeForbidden, CodeKeyDisabled)
		assert.True(t, errors.Is(err, ErrKeyDisabled), name)
	}
}

func TestNotBeforeAndExpiry(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	now := f.clock.Now()
	future, past := now.Add(time.Hour), now.Add(-time.Hour)
	for name, attrs := range map[string]AttributesUpdate{
		"notyet":  {NotBefore: &future},
		"expired": {Expires: &past},
	} {
		t.Run(name, func(t *testing.T) {
			kb := f.rsaKey(t, name, CreateKeyParams{Attributes: attrs})
			ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pubRSA(kb), []byte("k"), nil)
			require.NoError(t, err)
			_, err = f.s.Encrypt(ctx, dev, KeyRef{DevVaultName, name, ""}, KeyOperationParams{Algorithm: AlgRSAOAEP256, Value: []byte("k")})
			requireKVError(t, err, 403, CodeForbidden, "")
			_, err = f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, name, ""}, AlgRSAOAEP256, []byte("k"))
			requireKVError(t, err, 403, CodeForbidden, "")
			_, err = f.s.Sign(ctx, dev, KeyRef{DevVaultName, name, ""}, "RS256", make([]byte, 32))
			requireKVError(t, err, 403, CodeForbidden, "")
			// decrypt, unwrap and verify still work
			res, err := f.s.Decrypt(ctx, dev, KeyRef{DevVaultName, name, ""}, KeyOperationParams{Algorithm: AlgRSAOAEP256, Value: ct})
			require.NoError(t, err)
			assert.Equal(t, []byte("k"), res.Value)
			_, err = f.s.UnwrapKey(ctx, dev, KeyRef{DevVaultName, name, ""}, AlgRSAOAEP256, ct)
			require.NoError(t, err)
			_, err = f.s.KeyState(ctx, dev, KeyRef{DevVaultName, name, ""})
			require.NoError(t, err)
			_, err = f.s.Verify(ctx, dev, KeyRef{DevVaultName, name, ""}, "RS256", make([]byte, 32), make([]byte, 256))
			require.NoError(t, err)
		})
	}
	// once the clock passes nbf the key works
	f.clock.Advance(2 * time.Hour)
	_, err := f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "notyet", ""}, AlgRSAOAEP256, []byte("k"))
	require.NoError(t, err)
}

func TestKeyOpsEnforced(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.rsaKey(t, "k", CreateKeyParams{KeyOps: []string{"wrapkey"}})
	kb, err := f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.Equal(t, []string{OpWrapKey}, kb.Key.KeyOps)
	_, err = f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, AlgRSAOAEP, []byte("x"))
	require.NoError(t, err)
	_, err = f.s.UnwrapKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, AlgRSAOAEP, make([]byte, 256))
	requireKVError(t, err, 403, CodeForbidden, CodeKeyOperationForbidden)
	_, err = f.s.Sign(ctx, dev, KeyRef{DevVaultName, "k", ""}, "RS256", make([]byte, 32))
	requireKVError(t, err, 403, CodeForbidden, CodeKeyOperationForbidden)
	_, err = f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeKeyOperationForbidden)
	_, err = f.s.UpdateKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, UpdateKeyParams{KeyOps: []string{"unwrapKey", "wrapKey"}})
	require.NoError(t, err)
	_, err = f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
}

func TestSoftDeleteRecoverPurge(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	_, _, err := f.s.CreateOrUpdateVault(ctx, VaultSpec{Name: "nopp", TenantID: DevTenantID, SoftDeleteRetentionDays: 7,
		AccessPolicies: []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"all"}}}})
	require.NoError(t, err)
	for _, vault := range []string{DevVaultName, "nopp"} {
		kb, err := f.s.CreateKey(ctx, dev, vault, "k", CreateKeyParams{Kty: KtyEC})
		require.NoError(t, err)
		_, err = f.s.CreateKey(ctx, dev, vault, "k", CreateKeyParams{Kty: KtyEC})
		require.NoError(t, err)
		d, err := f.s.DeleteKey(ctx, dev, vault, "k")
		require.NoError(t, err)
		days := 90
		if vault == "nopp" {
			days = 7
		}
		assert.Equal(t, time.Duration(days)*24*time.Hour, d.ScheduledPurgeDate.Sub(d.DeletedDate))
		// invisible to everything but deleted-key operations
		_, err = f.s.GetKey(ctx, dev, KeyRef{vault, "k", ""})
		requireKVError(t, err, 404, CodeKeyNotFound, "")
		_, err = f.s.GetKey(ctx, dev, KeyRef{vault, "k", kb.Version})
		requireKVError(t, err, 404, CodeKeyNotFound, "")
		_, err = f.s.UnwrapKey(ctx, dev, KeyRef{vault, "k", ""}, AlgRSAOAEP, []byte("x"))
		requireKVError(t, err, 404, CodeKeyNotFound, "")
		_, err = f.s.KeyState(ctx, dev, KeyRef{vault, "k", ""})
		requireKVError(t, err, 404, CodeKeyNotFound, "")
		_, err = f.s.DeleteKey(ctx, dev, vault, "k")
		requireKVError(t, err, 404, CodeKeyNotFound, "")
		page, err := f.s.ListKeys(ctx, dev, vault, ListOptions{})
		require.NoError(t, err)
		assert.Empty(t, page.Items)
		// the name is held
		_, err = f.s.CreateKey(ctx, dev, vault, "k", CreateKeyParams{Kty: KtyEC})
		requireKVError(t, err, 409, CodeConflict, CodeObjectIsDeletedButRecoverable)
		dl, err := f.s.ListDeletedKeys(ctx, dev, vault, ListOptions{})
		require.NoError(t, err)
		require.Len(t, dl.Items, 1)
		_, err = f.s.GetDeletedKey(ctx, dev, vault, "k")
		require.NoError(t, err)
		_, err = f.s.RecoverDeletedKey(ctx, dev, vault, "k")
		require.NoError(t, err)
		vs, err := f.s.ListKeyVersions(ctx, dev, vault, "k", ListOptions{})
		require.NoError(t, err)
		assert.Len(t, vs.Items, 2, "recover restores every version")
		_, err = f.s.GetDeletedKey(ctx, dev, vault, "k")
		requireKVError(t, err, 404, CodeKeyNotFound, "")
		_, err = f.s.DeleteKey(ctx, dev, vault, "k")
		require.NoError(t, err)
	}
	err = f.s.PurgeDeletedKey(ctx, dev, DevVaultName, "k")
	requireKVError(t, err, 403, CodeForbidden, CodeForbiddenByPolicy)
	assert.Contains(t, err.Error(), `Operation "purge" is not allowed because purge protection is enabled for this vault.`)
	require.NoError(t, f.s.PurgeDeletedKey(ctx, dev, "nopp", "k"))
	_, err = f.s.GetDeletedKey(ctx, dev, "nopp", "k")
	requireKVError(t, err, 404, CodeKeyNotFound, "")

	// automatic purge at scheduledPurgeDate on the emulator clock
	f.clock.Advance(90*24*time.Hour - time.Second)
	require.NoError(t, f.s.Tick(ctx))
	_, err = f.s.GetDeletedKey(ctx, dev, DevVaultName, "k")
	require.NoError(t, err, "not yet due")
	f.clock.Advance(time.Second)
	require.NoError(t, f.s.Tick(ctx))
	_, err = f.s.GetDeletedKey(ctx, dev, DevVaultName, "k")
	requireKVError(t, err, 404, CodeKeyNotFound, "")
	_, err = f.s.CreateKey(ctx, dev, DevVaultName, "k", CreateKeyParams{Kty: KtyEC})
	require.NoError(t, err, "name free after purge")
}

func TestVaultWithoutSoftDeleteDeletesForGood(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	off := false
	v, _, err := f.s.CreateOrUpdateVault(ctx, VaultSpec{Name: "legacy", TenantID: DevTenantID, EnableSoftDelete: &off,
		AccessPolicies: []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"all"}}}})
	require.NoError(t, err)
	assert.Equal(t, "Purgeable", v.RecoveryLevel())
	_, err = f.s.CreateKey(ctx, dev, "legacy", "k", CreateKeyParams{Kty: KtyEC})
	require.NoError(t, err)
	d, err := f.s.DeleteKey(ctx, dev, "legacy", "k")
	require.NoError(t, err)
	assert.False(t, d.Recoverable)
	_, err = f.s.GetDeletedKey(ctx, dev, "legacy", "k")
	requireKVError(t, err, 404, CodeKeyNotFound, "")
	_, err = f.s.CreateKey(ctx, dev, "legacy", "k", CreateKeyParams{Kty: KtyEC})
	require.NoError(t, err)
}

func TestRecoveryLevels(t *testing.T) {
	on, off := true, false
	for _, tc := range []struct {
		soft *bool
		pp   bool
		days int
		want string
		rd   int
	}{
		{&on, false, 90, "Recoverable+Purgeable", 90},
		{&on, true, 90, "Recoverable", 90},
		{&on, false, 7, "CustomizedRecoverable+Purgeable", 7},
		{&on, true, 30, "CustomizedRecoverable", 30},
		{&off, false, 0, "Purgeable", 0},
	} {
		f := newFixture(t, "")
		v, _, err := f.s.CreateOrUpdateVault(context.Background(), VaultSpec{Name: "vlt", TenantID: DevTenantID,
			EnableSoftDelete: tc.soft, EnablePurgeProtection: tc.pp, SoftDeleteRetentionDays: tc.days})
		require.NoError(t, err)
		assert.Equal(t, tc.want, v.RecoveryLevel())
		assert.Equal(t, tc.rd, v.RecoverableDays())
	}
}

func TestVaultRules(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	spec := VaultSpec{Name: "rules", TenantID: DevTenantID, SoftDeleteRetentionDays: 30}
	_, created, err := f.s.CreateOrUpdateVault(ctx, spec)
	require.NoError(t, err)
	assert.True(t, created)
	for _, bad := range []VaultSpec{
		{Name: "x", TenantID: DevTenantID},
		{Name: "a--b", TenantID: DevTenantID},
		{Name: "okname", TenantID: DevTenantID, SoftDeleteRetentionDays: 6},
		{Name: "okname", TenantID: DevTenantID, SoftDeleteRetentionDays: 91},
		{Name: "rules", TenantID: DevTenantID, SoftDeleteRetentionDays: 60},
		{Name: "okname"},
	} {
		_, _, err := f.s.CreateOrUpdateVault(ctx, bad)
		requireKVError(t, err, 400, CodeBadParameter, "")
	}
	spec.EnablePurgeProtection = true
	_, created, err = f.s.CreateOrUpdateVault(ctx, spec)
	require.NoError(t, err)
	assert.False(t, created)
	spec.EnablePurgeProtection = false
	_, _, err = f.s.CreateOrUpdateVault(ctx, spec)
	requireKVError(t, err, 400, CodeBadParameter, "")
	off := false
	spec.EnablePurgeProtection, spec.EnableSoftDelete = true, &off
	_, _, err = f.s.CreateOrUpdateVault(ctx, spec)
	requireKVError(t, err, 400, CodeBadParameter, "")

	require.NoError(t, f.s.DeleteVault(ctx, "rules"))
	_, err = f.s.GetVault(ctx, "rules")
	requireKVError(t, err, 404, CodeVaultNotFound, "")
	_, _, err = f.s.CreateOrUpdateVault(ctx, VaultSpec{Name: "rules", TenantID: DevTenantID})
	requireKVError(t, err, 409, CodeVaultAlreadyExists, "")
	assert.Len(t, f.s.ListDeletedVaults(ctx), 1)
	require.ErrorIs(t, f.s.PurgeVault(ctx, "rules"), ErrVaultPurgeNotAllowed)
	_, err = f.s.RecoverVault(ctx, "rules")
	require.NoError(t, err)
	require.NoError(t, f.s.DeleteVault(ctx, "rules"))
	f.clock.Advance(30 * 24 * time.Hour)
	require.NoError(t, f.s.Tick(ctx))
	assert.Empty(t, f.s.ListDeletedVaults(ctx))
	_, _, err = f.s.CreateOrUpdateVault(ctx, VaultSpec{Name: "rules", TenantID: DevTenantID})
	require.NoError(t, err)
	names := []string{}
	for _, v := range f.s.ListVaults(ctx) {
		names = append(names, v.Name)
	}
	assert.Equal(t, []string{DevVaultName, "rules"}, names)
}

func TestAccessPolicies(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.rsaKey(t, "k", CreateKeyParams{})
	_, err := f.s.GetKey(ctx, stranger, KeyRef{DevVaultName, "k", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeAccessDenied)
	assert.Contains(t, err.Error(), "does not have keys get permission on key vault 'devvault;location=local'")
	_, err = f.s.KeyState(ctx, stranger, KeyRef{DevVaultName, "k", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeAccessDenied)
	// authorisation comes before existence: no information leak
	_, err = f.s.GetKey(ctx, stranger, KeyRef{DevVaultName, "nope", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeAccessDenied)

	g0, err := f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyAdd, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Keys: []string{"Get", "unwrapkey", "wrapKey"}}})
	require.NoError(t, err)
	g1, err := f.s.KeyState(ctx, stranger, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.Greater(t, g1, g0, "a policy change bumps the generation")
	_, err = f.s.GetKey(ctx, stranger, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	_, err = f.s.Sign(ctx, stranger, KeyRef{DevVaultName, "k", ""}, "RS256", make([]byte, 32))
	requireKVError(t, err, 403, CodeForbidden, CodeAccessDenied)
	// a token of another tenant does not match the policy
	other := stranger
	other.TenantID = "22222222-2222-4222-8222-222222222222"
	_, err = f.s.GetKey(ctx, other, KeyRef{DevVaultName, "k", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeAccessDenied)

	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyRemove, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Keys: []string{"unwrapKey"}}})
	require.NoError(t, err)
	_, err = f.s.KeyState(ctx, stranger, KeyRef{DevVaultName, "k", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeAccessDenied)
	v, err := f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyReplace, []AccessPolicy{{TenantID: DevTenantID, ObjectID: stranger.ObjectID, Keys: []string{"list"}}})
	require.NoError(t, err)
	require.Len(t, v.AccessPolicies, 2)
	assert.Equal(t, []string{"list"}, v.AccessPolicies[1].Keys)
	_, err = f.s.UpdateAccessPolicies(ctx, DevVaultName, AccessPolicyAdd, []AccessPolicy{{TenantID: DevTenantID, ObjectID: "x", Keys: []string{"fly"}}})
	requireKVError(t, err, 400, CodeBadParameter, "")
}

func TestRBAC(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	_, _, err := f.s.CreateOrUpdateVault(ctx, VaultSpec{Name: "rbac", TenantID: DevTenantID, EnableRBACAuthorization: true,
		AccessPolicies: []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"all"}}}})
	require.NoError(t, err)
	_, err = f.s.CreateKey(ctx, dev, "rbac", "k", CreateKeyParams{Kty: KtyRSA})
	requireKVError(t, err, 403, CodeForbidden, CodeForbiddenByRbac)
	assert.Contains(t, err.Error(), "Action: 'Microsoft.KeyVault/vaults/keys/create/action'")
	_, err = f.s.AssignRole(ctx, "rbac", RoleAssignment{PrincipalID: DevObjectID, RoleDefinition: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"})
	require.NoError(t, err)
	_, err = f.s.CreateKey(ctx, dev, "rbac", "k", CreateKeyParams{Kty: KtyRSA})
	require.NoError(t, err)
	ra, err := f.s.AssignRole(ctx, "rbac", RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: RoleKeyVaultCryptoServiceEncryptionUser, Scope: "keys/k"})
	require.NoError(t, err)
	_, err = f.s.KeyState(ctx, stranger, KeyRef{"rbac", "k", ""})
	require.NoError(t, err)
	w, err := f.s.WrapKey(ctx, stranger, KeyRef{"rbac", "k", ""}, AlgRSAOAEP256, []byte("aek"))
	require.NoError(t, err)
	_, err = f.s.UnwrapKey(ctx, stranger, KeyRef{"rbac", "k", ""}, AlgRSAOAEP256, w.Value)
	require.NoError(t, err)
	_, err = f.s.Sign(ctx, stranger, KeyRef{"rbac", "k", ""}, "RS256", make([]byte, 32))
	requireKVError(t, err, 403, CodeForbidden, CodeForbiddenByRbac)
	_, err = f.s.DeleteKey(ctx, stranger, "rbac", "k")
	requireKVError(t, err, 403, CodeForbidden, CodeForbiddenByRbac)
	require.NoError(t, f.s.RemoveRoleAssignment(ctx, "rbac", ra.ID))
	_, err = f.s.KeyState(ctx, stranger, KeyRef{"rbac", "k", ""})
	requireKVError(t, err, 403, CodeForbidden, CodeForbiddenByRbac)
	_, err = f.s.AssignRole(ctx, "rbac", RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: "Owner"})
	requireKVError(t, err, 400, CodeBadParameter, "")
	// reader: get yes, unwrap no
	_, err = f.s.AssignRole(ctx, "rbac", RoleAssignment{PrincipalID: stranger.ObjectID, RoleDefinition: RoleKeyVaultReader})
	require.NoError(t, err)
	_, err = f.s.GetKey(ctx, stranger, KeyRef{"rbac", "k", ""})
	require.NoError(t, err)
	_, err = f.s.UnwrapKey(ctx, stranger, KeyRef{"rbac", "k", ""}, AlgRSAOAEP256, w.Value)
	requireKVError(t, err, 403, CodeForbidden, CodeForbiddenByRbac)
}

func TestKeyStateGeneration(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	f.rsaKey(t, "k", CreateKeyParams{})
	g := func() uint64 {
		t.Helper()
		n, err := f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""})
		require.NoError(t, err)
		return n
	}
	g0 := g()
	assert.Equal(t, g0, g(), "stable without changes")
	f.rsaKey(t, "other", CreateKeyParams{})
	assert.Equal(t, g0, g(), "another key does not disturb")
	_, err := f.s.UpdateKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, UpdateKeyParams{Tags: map[string]string{"a": "b"}})
	require.NoError(t, err)
	g1 := g()
	assert.Greater(t, g1, g0)
	_, err = f.s.RotateKey(ctx, dev, DevVaultName, "k")
	require.NoError(t, err)
	g2 := g()
	assert.Greater(t, g2, g1)
	_, err = f.s.DeleteKey(ctx, dev, DevVaultName, "k")
	require.NoError(t, err)
	_, err = f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.ErrorIs(t, err, ErrKeyNotFound)
	_, err = f.s.RecoverDeletedKey(ctx, dev, DevVaultName, "k")
	require.NoError(t, err)
	assert.Greater(t, g(), g2)
	require.NoError(t, f.s.DeleteVault(ctx, DevVaultName))
	_, err = f.s.KeyState(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.ErrorIs(t, err, ErrVaultNotFound)
}

func TestBackupRestore(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	kb := f.rsaKey(t, "k", CreateKeyParams{Tags: map[string]string{"t": "1"}})
	kb2 := f.rsaKey(t, "k", CreateKeyParams{})
	blob, err := f.s.BackupKey(ctx, dev, DevVaultName, "k")
	require.NoError(t, err)
	_, err = f.s.RestoreKey(ctx, dev, DevVaultName, blob)
	requireKVError(t, err, 409, CodeConflict, "")
	_, _, err = f.s.CreateOrUpdateVault(ctx, VaultSpec{Name: "second", TenantID: DevTenantID,
		AccessPolicies: []AccessPolicy{{TenantID: DevTenantID, ObjectID: DevObjectID, Keys: []string{"all"}}}})
	require.NoError(t, err)
	rb, err := f.s.RestoreKey(ctx, dev, "second", blob)
	require.NoError(t, err)
	assert.Equal(t, kb2.Version, rb.Version)
	assert.Equal(t, kb2.Key.N, rb.Key.N)
	old, err := f.s.GetKey(ctx, dev, KeyRef{"second", "k", kb.Version})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"t": "1"}, old.Tags)
	w, err := f.s.WrapKey(ctx, dev, KeyRef{DevVaultName, "k", ""}, AlgRSAOAEP256, []byte("aek"))
	require.NoError(t, err)
	u, err := f.s.UnwrapKey(ctx, dev, KeyRef{"second", "k", ""}, AlgRSAOAEP256, w.Value)
	require.NoError(t, err)
	assert.Equal(t, []byte("aek"), u.Value)
	// tampered or foreign blobs
	bad := bytes.Clone(blob)
	bad[len(bad)-1] ^= 1
	_, err = f.s.RestoreKey(ctx, dev, "second", bad)
	requireKVError(t, err, 400, CodeBadParameter, "")
	other := newFixture(t, "")
	_, err = other.s.RestoreKey(ctx, dev, DevVaultName, blob)
	requireKVError(t, err, 400, CodeBadParameter, "")
	// a name held by a deleted key also conflicts
	_, err = f.s.DeleteKey(ctx, dev, "second", "k")
	require.NoError(t, err)
	_, err = f.s.RestoreKey(ctx, dev, "second", blob)
	requireKVError(t, err, 409, CodeConflict, "")
}

func TestImportValidation(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	priv, err := rsa.GenerateKey(f.s.rand, 2048)
	require.NoError(t, err)
	good := privateJWK(priv)
	kb, err := f.s.ImportKey(ctx, dev, DevVaultName, "imp", ImportKeyParams{Key: good, HSM: true})
	require.NoError(t, err)
	assert.Equal(t, KtyRSAHSM, kb.Key.Kty)
	assert.Empty(t, kb.Key.D)
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &priv.PublicKey, []byte("hi"), nil)
	require.NoError(t, err)
	res, err := f.s.Decrypt(ctx, dev, KeyRef{DevVaultName, "imp", ""}, KeyOperationParams{Algorithm: AlgRSAOAEP256, Value: ct})
	require.NoError(t, err)
	assert.Equal(t, []byte("hi"), res.Value)

	ec, err := f.s.CreateKey(ctx, dev, DevVaultName, "ecsrc", CreateKeyParams{Kty: KtyEC, Curve: CurveP256K})
	require.NoError(t, err)
	_ = ec
	k1, err := newK1Curve().generate(f.s.rand)
	require.NoError(t, err)
	_, err = f.s.ImportKey(ctx, dev, DevVaultName, "k1", ImportKeyParams{Key: privateJWK(k1)})
	require.NoError(t, err)

	mut := func(fn func(j *JSONWebKey)) JSONWebKey {
		j := privateJWK(priv)
		fn(&j)
		return j
	}
	k1bad := privateJWK(k1)
	k1bad.X = bytes.Clone(k1bad.X)
	k1bad.X[3] ^= 1
	for name, j := range map[string]JSONWebKey{
		"no-d":      mut(func(j *JSONWebKey) { j.D = nil }),
		"no-p":      mut(func(j *JSONWebKey) { j.P = nil }),
		"wrong-p":   mut(func(j *JSONWebKey) { j.P = bytes.Clone(j.Q) }),
		"wrong-dp":  mut(func(j *JSONWebKey) { j.DP = []byte{1, 2, 3} }),
		"even-e":    mut(func(j *JSONWebKey) { j.E = []byte{1, 0, 0} }),
		"huge-e":    mut(func(j *JSONWebKey) { j.E = make([]byte, 9) }),
		"no-kty":    mut(func(j *JSONWebKey) { j.Kty = "" }),
		"oct":       {Kty: KtyOct, K: make([]byte, 32)},
		"byok":      mut(func(j *JSONWebKey) { j.KeyHSM = []byte{1} }),
		"small":     mut(func(j *JSONWebKey) { j.N = j.N[:100] }),
		"ec-nocrv":  {Kty: KtyEC, X: make([]byte, 32), Y: make([]byte, 32), D: []byte{1}},
		"ec-offcrv": {Kty: KtyEC, Crv: CurveP256, X: make([]byte, 32), Y: make([]byte, 32), D: []byte{1}},
		"k1-mism":   k1bad,
		"bad-op":    mut(func(j *JSONWebKey) { j.KeyOps = []string{"fly"} }),
	} {
		_, err := f.s.ImportKey(ctx, dev, DevVaultName, "bad", ImportKeyParams{Key: j})
		requireKVError(t, err, 400, CodeBadParameter, "")
		_ = name
	}
}

func TestListPaging(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	for _, n := range []string{"b", "a", "C", "d", "e"} {
		_, err := f.s.CreateKey(ctx, dev, DevVaultName, n, CreateKeyParams{Kty: KtyEC})
		require.NoError(t, err)
	}
	var got []string
	tok := ""
	for i := 0; ; i++ {
		p, err := f.s.ListKeys(ctx, dev, DevVaultName, ListOptions{MaxResults: 2, Token: tok})
		require.NoError(t, err)
		for _, it := range p.Items {
			got = append(got, it.Name)
		}
		if p.Next == "" {
			break
		}
		tok = p.Next
		require.Less(t, i, 5)
	}
	assert.Equal(t, []string{"a", "b", "C", "d", "e"}, got)
	_, err := f.s.ListKeys(ctx, dev, DevVaultName, ListOptions{MaxResults: 26})
	requireKVError(t, err, 400, CodeBadParameter, "")
	_, err = f.s.ListKeys(ctx, dev, DevVaultName, ListOptions{Token: "!!"})
	requireKVError(t, err, 400, CodeBadParameter, "")
	for range 3 {
		_, err := f.s.RotateKey(ctx, dev, DevVaultName, "a")
		require.NoError(t, err)
	}
	p, err := f.s.ListKeyVersions(ctx, dev, DevVaultName, "a", ListOptions{MaxResults: 3})
	require.NoError(t, err)
	require.Len(t, p.Items, 3)
	p2, err := f.s.ListKeyVersions(ctx, dev, DevVaultName, "a", ListOptions{MaxResults: 3, Token: p.Next})
	require.NoError(t, err)
	require.Len(t, p2.Items, 1)
	assert.Empty(t, p2.Next)
}

func TestRotationPolicy(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	kb := f.rsaKey(t, "k", CreateKeyParams{})
	p, err := f.s.GetRotationPolicy(ctx, dev, DevVaultName, "k")
	require.NoError(t, err)
	assert.Equal(t, "Notify", p.LifetimeActions[0].Action)
	for _, bad := range []RotationPolicy{
		{LifetimeActions: []LifetimeAction{{TimeAfterCreate: "P1D", Action: "Rotate"}}},
		{LifetimeActions: []LifetimeAction{{TimeAfterCreate: "P30D", TimeBeforeExpiry: "P30D", Action: "Rotate"}}},
		{LifetimeActions: []LifetimeAction{{TimeAfterCreate: "P30D", Action: "Notify"}}},
		{LifetimeActions: []LifetimeAction{{TimeAfterCreate: "P30D", Action: "Explode"}}},
		{LifetimeActions: []LifetimeAction{{TimeAfterCreate: "30 days", Action: "Rotate"}}},
		{ExpiryTime: "P7D"},
	} {
		_, err := f.s.SetRotationPolicy(ctx, dev, DevVaultName, "k", bad)
		requireKVError(t, err, 400, CodeBadParameter, "")
	}
	set, err := f.s.SetRotationPolicy(ctx, dev, DevVaultName, "k", RotationPolicy{ExpiryTime: "P90D",
		LifetimeActions: []LifetimeAction{{TimeAfterCreate: "P30D", Action: "rotate"}, {TimeBeforeExpiry: "P10D", Action: "Notify"}}})
	require.NoError(t, err)
	assert.Equal(t, "Rotate", set.LifetimeActions[0].Action)
	require.NotNil(t, set.Created)
	f.clock.Advance(29 * 24 * time.Hour)
	require.NoError(t, f.s.Tick(ctx))
	cur, err := f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.Equal(t, kb.Version, cur.Version, "not due yet")
	f.clock.Advance(24 * time.Hour)
	require.NoError(t, f.s.Tick(ctx))
	cur, err = f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.NotEqual(t, kb.Version, cur.Version, "rotated by policy")
	require.NotNil(t, cur.Attributes.Expires)
	assert.Equal(t, f.clock.Now().AddDate(0, 0, 90), *cur.Attributes.Expires)
	assert.Equal(t, 2048, new(big.Int).SetBytes(cur.Key.N).BitLen())
}

func TestParseDuration(t *testing.T) {
	base := time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
	for s, want := range map[string]time.Time{
		"P90D":   base.AddDate(0, 0, 90),
		"P2Y":    base.AddDate(2, 0, 0),
		"P1M":    base.AddDate(0, 1, 0),
		"P1W":    base.AddDate(0, 0, 7),
		"PT36H":  base.Add(36 * time.Hour),
		"P1DT1M": base.AddDate(0, 0, 1).Add(time.Minute),
	} {
		d, err := parseDuration(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, d.addTo(base), s)
	}
	for _, s := range []string{"", "P", "PT", "90D", "P1H", "PT1D", "P-1D", "P1DT", "P1.5D", "P9999999D", "P1D2"} {
		_, err := parseDuration(s)
		assert.Error(t, err, s)
	}
}

func TestGetRandomBytes(t *testing.T) {
	f := newFixture(t, "")
	b, err := f.s.GetRandomBytes(context.Background(), dev, DevVaultName, 32)
	require.NoError(t, err)
	assert.Len(t, b, 32)
	for _, n := range []int{0, 129} {
		_, err := f.s.GetRandomBytes(context.Background(), dev, DevVaultName, n)
		requireKVError(t, err, 400, CodeBadParameter, "")
	}
}

func TestParseKeyID(t *testing.T) {
	for kid, want := range map[string]KeyRef{
		"https://myvault.vault.localhost:8443/keys/k1/0123456789abcdef0123456789abcdef": {"myvault", "k1", "0123456789abcdef0123456789abcdef"},
		"https://myvault.vault.azure.net/keys/k1":                                       {"myvault", "k1", ""},
		"https://localhost:8443/keys/k1/":                                               {DevVaultName, "k1", ""},
	} {
		ref, err := ParseKeyID(kid)
		require.NoError(t, err, kid)
		assert.Equal(t, want, ref)
	}
	for _, kid := range []string{"", "https://example.com/keys/k", "https://x.vault.localhost/secrets/k", "https://x.vault.localhost/keys/a_b"} {
		_, err := ParseKeyID(kid)
		assert.Error(t, err, kid)
	}
}

// TestPersistenceAndNoPlaintextOnDisk restarts the service on the same data
// directory and walks every file in it for canaries of private key material.
func TestPersistenceAndNoPlaintextOnDisk(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, dir)
	ctx := context.Background()
	priv, err := rsa.GenerateKey(f.s.rand, 2048)
	require.NoError(t, err)
	_, err = f.s.ImportKey(ctx, dev, DevVaultName, "canary", ImportKeyParams{Key: privateJWK(priv)})
	require.NoError(t, err)
	ec, err := f.s.CreateKey(ctx, dev, DevVaultName, "ec", CreateKeyParams{Kty: KtyEC, Curve: CurveP256K})
	require.NoError(t, err)
	_, err = f.s.SetRotationPolicy(ctx, dev, DevVaultName, "canary", RotationPolicy{LifetimeActions: []LifetimeAction{{TimeAfterCreate: "P30D", Action: "Rotate"}}})
	require.NoError(t, err)
	_, err = f.s.DeleteKey(ctx, dev, DevVaultName, "ec")
	require.NoError(t, err)
	ecPriv := func() []byte {
		f.s.mu.RLock()
		defer f.s.mu.RUnlock()
		return privateJWK(f.s.vaults[DevVaultName].keys["ec"].latest().kp).D
	}()
	require.NoError(t, f.s.Close())

	canaries := map[string][]byte{
		"rsa d": priv.D.Bytes(), "rsa p": priv.Primes[0].Bytes(), "rsa q": priv.Primes[1].Bytes(),
		"ec d": ecPriv,
	}
	for name, c := range canaries {
		enc := []string{string(c), b64url(c), b64std(c)}
		walkFiles(t, dir, func(path string, data []byte) {
			for _, e := range enc {
				assert.False(t, bytes.Contains(data, []byte(e)), "%s found in %s", name, path)
			}
		})
	}

	g := openFixture(t, dir, f.root, f.clock)
	kb, err := g.s.GetKey(ctx, dev, KeyRef{DevVaultName, "canary", ""})
	require.NoError(t, err)
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &priv.PublicKey, []byte("after restart"), nil)
	require.NoError(t, err)
	res, err := g.s.Decrypt(ctx, dev, KeyRef{DevVaultName, "canary", kb.Version}, KeyOperationParams{Algorithm: AlgRSAOAEP256, Value: ct})
	require.NoError(t, err)
	assert.Equal(t, []byte("after restart"), res.Value)
	d, err := g.s.GetDeletedKey(ctx, dev, DevVaultName, "ec")
	require.NoError(t, err)
	assert.Equal(t, ec.Key.X, d.Key.X)
	p, err := g.s.GetRotationPolicy(ctx, dev, DevVaultName, "canary")
	require.NoError(t, err)
	assert.Equal(t, "Rotate", p.LifetimeActions[0].Action)
	require.NoError(t, g.s.Close())

	// a wrong root key cannot open the sealed material
	other, err := azcrypto.NewKey()
	require.NoError(t, err)
	_, err = Open(Config{DataDir: dir, RootKey: other, Now: f.clock.Now})
	require.Error(t, err)
}

func walkFiles(t *testing.T, dir string, fn func(string, []byte)) {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		fn(path, data)
		return nil
	}))
	require.Positive(t, n)
}

func TestVersionedKeyID(t *testing.T) {
	got, err := VersionedKeyID("https://myvault.vault.localhost:8443/keys/k1/", "abc")
	require.NoError(t, err)
	assert.Equal(t, "https://myvault.vault.localhost:8443/keys/k1/abc", got)
	got, err = VersionedKeyID("https://myvault.vault.localhost:8443/keys/k1/old", "new")
	require.NoError(t, err)
	assert.Equal(t, "https://myvault.vault.localhost:8443/keys/k1/new", got)
	_, err = VersionedKeyID("nonsense", "v")
	require.Error(t, err)
}

func TestRotationBeforeExpiry(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	exp := f.clock.Now().AddDate(0, 0, 40)
	kb := f.rsaKey(t, "k", CreateKeyParams{Attributes: AttributesUpdate{Expires: &exp}})
	_, err := f.s.SetRotationPolicy(ctx, dev, DevVaultName, "k", RotationPolicy{ExpiryTime: "P60D",
		LifetimeActions: []LifetimeAction{{TimeBeforeExpiry: "P10D", Action: "Rotate"}}})
	require.NoError(t, err)
	f.clock.Advance(29 * 24 * time.Hour)
	require.NoError(t, f.s.Tick(ctx))
	cur, err := f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.Equal(t, kb.Version, cur.Version)
	f.clock.Advance(24 * time.Hour)
	require.NoError(t, f.s.Tick(ctx))
	cur, err = f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.NotEqual(t, kb.Version, cur.Version, "rotated 10 days before expiry")
	assert.Equal(t, f.clock.Now().AddDate(0, 0, 60), *cur.Attributes.Expires)
	require.NoError(t, f.s.Tick(ctx))
	again, err := f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.Equal(t, cur.Version, again.Version, "one rotation per due time")
}
