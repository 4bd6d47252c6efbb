package conformance

// Key Vault keys through the official azkeys v1.5.0 client with a real
// azidentity client-secret credential, against https://devvault.vault.localhost:PORT.
// Results of the vault's crypto are checked independently with Go's crypto.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
	"github.com/azemu/azemu/emulator/identity"
	"github.com/azemu/azemu/keyvault"
)

func keysClient(t testing.TB, emu *emulator.Emulator, cred azcore.TokenCredential, vaultURL string) *azkeys.Client {
	t.Helper()
	c, err := azkeys.NewClient(vaultURL, cred, &azkeys.ClientOptions{ClientOptions: clientOptions(emu)})
	require.NoError(t, err)
	return c
}

func devKeys(t testing.TB, emu *emulator.Emulator) *azkeys.Client {
	t.Helper()
	return keysClient(t, emu, devCredential(t, emu), emu.DevVaultURL())
}

// kvError asserts err is a Key Vault error with status, outer and inner code
// (azcore only surfaces the outer code; the inner one is read from the body).
func kvError(t *testing.T, err error, status int, code, inner string) {
	t.Helper()
	var re *azcore.ResponseError
	require.True(t, errors.As(err, &re), "want ResponseError, got %v", err)
	assert.Equal(t, status, re.StatusCode)
	assert.Equal(t, code, re.ErrorCode)
	body, rerr := io.ReadAll(re.RawResponse.Body)
	require.NoError(t, rerr)
	var env struct {
		Error struct {
			Code  string `json:"code"`
			Inner *struct {
				Code string `json:"code"`
			} `json:"innererror"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &env), string(body))
	got := ""
	if env.Error.Inner != nil {
		got = env.Error.Inner.Code
	}
	assert.Equal(t, inner, got, string(body))
}

func rsaPub(k *azkeys.JSONWebKey) *rsa.PublicKey {
	return &rsa.PublicKey{N: new(big.Int).SetBytes(k.N), E: int(new(big.Int).SetBytes(k.E).Int64())}
}

func TestKeysCreateGetListVersions(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		p    azkeys.CreateKeyParameters
	}{
		{"rsa2048", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr[int32](2048)}},
		{"rsa3072", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr[int32](3072)}},
		{"rsahsm", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSAHSM)}},
		{"ec256", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC), Curve: to.Ptr(azkeys.CurveNameP256)}},
		{"ec384", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC), Curve: to.Ptr(azkeys.CurveNameP384)}},
		{"ec521", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeECHSM), Curve: to.Ptr(azkeys.CurveNameP521)}},
		{"ec256k", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC), Curve: to.Ptr(azkeys.CurveNameP256K)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.Tags = map[string]*string{"purpose": to.Ptr("test")}
			res, err := c.CreateKey(ctx, tc.name, tc.p, nil)
			require.NoError(t, err)
			require.NotNil(t, res.Key.KID)
			assert.Equal(t, tc.name, res.Key.KID.Name())
			assert.Len(t, res.Key.KID.Version(), 32)
			assert.Equal(t, *tc.p.Kty, *res.Key.Kty)
			assert.Nil(t, res.Key.D, "private parts never leave the vault")
			assert.True(t, *res.Attributes.Enabled)
			assert.Equal(t, "Recoverable", *res.Attributes.RecoveryLevel)
			assert.EqualValues(t, 90, *res.Attributes.RecoverableDays)
			got, err := c.GetKey(ctx, tc.name, "", nil)
			require.NoError(t, err)
			assert.Equal(t, *res.Key.KID, *got.Key.KID)
			got, err = c.GetKey(ctx, tc.name, res.Key.KID.Version(), nil)
			require.NoError(t, err)
			assert.Equal(t, "test", *got.Tags["purpose"])
		})
	}
	_, err := c.CreateKey(ctx, "oct", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeOctHSM)}, nil)
	kvError(t, err, 400, "BadParameter", "")
	_, err = c.CreateKey(ctx, "small", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr[int32](1024)}, nil)
	kvError(t, err, 400, "BadParameter", "")

	// more keys than one page (25) so the pager follows nextLink
	for i := range 24 {
		_, err := c.CreateKey(ctx, fmt.Sprintf("page%02d", i), azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
		require.NoError(t, err)
	}
	names, pages := map[string]bool{}, 0
	pager := c.NewListKeyPropertiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, k := range page.Value {
			assert.Empty(t, k.KID.Version(), "list returns base identifiers")
			names[k.KID.Name()] = true
		}
	}
	assert.Len(t, names, 31)
	assert.Equal(t, 2, pages)

	for range 2 {
		_, err := c.RotateKey(ctx, "ec256", nil)
		require.NoError(t, err)
	}
	versions := 0
	vp := c.NewListKeyPropertiesVersionsPager("ec256", nil)
	for vp.More() {
		page, err := vp.NextPage(ctx)
		require.NoError(t, err)
		for _, k := range page.Value {
			assert.Len(t, k.KID.Version(), 32)
			versions++
		}
	}
	assert.Equal(t, 3, versions)

	upd, err := c.UpdateKey(ctx, "ec256", "", azkeys.UpdateKeyParameters{
		Tags: map[string]*string{"x": to.Ptr("y")}, KeyAttributes: &azkeys.KeyAttributes{Expires: to.Ptr(time.Now().Add(48 * time.Hour).Truncate(time.Second))}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "y", *upd.Tags["x"])
	require.NotNil(t, upd.Attributes.Expires)
}

func TestKeysCryptoCheckedLocally(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()
	for _, size := range []int32{2048, 3072} {
		name := fmt.Sprintf("rsa%d", size)
		kb, err := c.CreateKey(ctx, name, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr(size)}, nil)
		require.NoError(t, err)
		pub := rsaPub(kb.Key)
		assert.Equal(t, int(size), pub.N.BitLen())
		secret := []byte("a 256-bit account encryption key")
		for _, alg := range []azkeys.EncryptionAlgorithm{azkeys.EncryptionAlgorithmRSAOAEP256, azkeys.EncryptionAlgorithmRSAOAEP, azkeys.EncryptionAlgorithmRSA15} {
			var local []byte
			switch alg {
			case azkeys.EncryptionAlgorithmRSAOAEP256:
				local, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, secret, nil)
			case azkeys.EncryptionAlgorithmRSAOAEP:
				local, err = rsa.EncryptOAEP(crypto.SHA1.New(), rand.Reader, pub, secret, nil)
			default:
				local, err = rsa.EncryptPKCS1v15(rand.Reader, pub, secret)
			}
			require.NoError(t, err)
			// encrypted locally with the public key, decrypted and unwrapped by the vault
			dec, err := c.Decrypt(ctx, name, "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(alg), Value: local}, nil)
			require.NoError(t, err, alg)
			assert.Equal(t, secret, dec.Result)
			unw, err := c.UnwrapKey(ctx, name, kb.Key.KID.Version(), azkeys.KeyOperationParameters{Algorithm: to.Ptr(alg), Value: local}, nil)
			require.NoError(t, err, alg)
			assert.Equal(t, secret, unw.Result)
			assert.Equal(t, *kb.Key.KID, *unw.KID)
			// wrapped and encrypted by the vault, unwrapped by the vault
			w, err := c.WrapKey(ctx, name, "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(alg), Value: secret}, nil)
			require.NoError(t, err)
			assert.Len(t, w.Result, int(size/8))
			unw, err = c.UnwrapKey(ctx, name, "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(alg), Value: w.Result}, nil)
			require.NoError(t, err)
			assert.Equal(t, secret, unw.Result)
			e, err := c.Encrypt(ctx, name, "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(alg), Value: secret}, nil)
			require.NoError(t, err)
			dec, err = c.Decrypt(ctx, name, "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(alg), Value: e.Result}, nil)
			require.NoError(t, err)
			assert.Equal(t, secret, dec.Result)
		}
	}

	// signatures made by the vault, verified locally
	msg := []byte("sign me")
	d256, d384, d512 := sha256.Sum256(msg), sha512.Sum384(msg), sha512.Sum512(msg)
	kb, err := c.GetKey(ctx, "rsa2048", "", nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		alg    azkeys.SignatureAlgorithm
		digest []byte
		hash   crypto.Hash
	}{
		{azkeys.SignatureAlgorithmRS256, d256[:], crypto.SHA256}, {azkeys.SignatureAlgorithmRS384, d384[:], crypto.SHA384},
		{azkeys.SignatureAlgorithmRS512, d512[:], crypto.SHA512}, {azkeys.SignatureAlgorithmPS256, d256[:], crypto.SHA256},
		{azkeys.SignatureAlgorithmPS384, d384[:], crypto.SHA384}, {azkeys.SignatureAlgorithmPS512, d512[:], crypto.SHA512},
	} {
		s, err := c.Sign(ctx, "rsa2048", "", azkeys.SignParameters{Algorithm: to.Ptr(tc.alg), Value: tc.digest}, nil)
		require.NoError(t, err, tc.alg)
		if tc.alg[0] == 'R' {
			assert.NoError(t, rsa.VerifyPKCS1v15(rsaPub(kb.Key), tc.hash, tc.digest, s.Result), tc.alg)
		} else {
			assert.NoError(t, rsa.VerifyPSS(rsaPub(kb.Key), tc.hash, tc.digest, s.Result, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}), tc.alg)
		}
		v, err := c.Verify(ctx, "rsa2048", "", azkeys.VerifyParameters{Algorithm: to.Ptr(tc.alg), Digest: tc.digest, Signature: s.Result}, nil)
		require.NoError(t, err)
		assert.True(t, *v.Value)
	}
	for _, tc := range []struct {
		crv    azkeys.CurveName
		curve  elliptic.Curve
		alg    azkeys.SignatureAlgorithm
		digest []byte
	}{
		{azkeys.CurveNameP256, elliptic.P256(), azkeys.SignatureAlgorithmES256, d256[:]},
		{azkeys.CurveNameP384, elliptic.P384(), azkeys.SignatureAlgorithmES384, d384[:]},
		{azkeys.CurveNameP521, elliptic.P521(), azkeys.SignatureAlgorithmES512, d512[:]},
		{azkeys.CurveNameP256K, nil, azkeys.SignatureAlgorithmES256K, d256[:]},
	} {
		name := "ec-" + string(tc.alg)
		ek, err := c.CreateKey(ctx, name, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC), Curve: to.Ptr(tc.crv)}, nil)
		require.NoError(t, err)
		s, err := c.Sign(ctx, name, "", azkeys.SignParameters{Algorithm: to.Ptr(tc.alg), Value: tc.digest}, nil)
		require.NoError(t, err, tc.alg)
		if tc.curve != nil {
			n := len(s.Result) / 2
			pub := &ecdsa.PublicKey{Curve: tc.curve, X: new(big.Int).SetBytes(ek.Key.X), Y: new(big.Int).SetBytes(ek.Key.Y)}
			assert.True(t, ecdsa.Verify(pub, tc.digest, new(big.Int).SetBytes(s.Result[:n]), new(big.Int).SetBytes(s.Result[n:])), tc.alg)
		}
		v, err := c.Verify(ctx, name, "", azkeys.VerifyParameters{Algorithm: to.Ptr(tc.alg), Digest: tc.digest, Signature: s.Result}, nil)
		require.NoError(t, err)
		assert.True(t, *v.Value, tc.alg)
		bad := bytes.Clone(s.Result)
		bad[1] ^= 0x40
		v, err = c.Verify(ctx, name, "", azkeys.VerifyParameters{Algorithm: to.Ptr(tc.alg), Digest: tc.digest, Signature: bad}, nil)
		require.NoError(t, err)
		assert.False(t, *v.Value, tc.alg)
	}
	_, err = c.Sign(ctx, "rsa2048", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: d384[:]}, nil)
	kvError(t, err, 400, "BadParameter", "")

	rb, err := c.GetRandomBytes(ctx, azkeys.GetRandomBytesParameters{Count: to.Ptr[int32](32)}, nil)
	require.NoError(t, err)
	assert.Len(t, rb.Value, 32)
}

func TestKeysImport(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	priv.Precompute()
	jwk := &azkeys.JSONWebKey{Kty: to.Ptr(azkeys.KeyTypeRSA), N: priv.N.Bytes(), E: big.NewInt(int64(priv.E)).Bytes(),
		D: priv.D.Bytes(), P: priv.Primes[0].Bytes(), Q: priv.Primes[1].Bytes(),
		DP: priv.Precomputed.Dp.Bytes(), DQ: priv.Precomputed.Dq.Bytes(), QI: priv.Precomputed.Qinv.Bytes()}
	res, err := c.ImportKey(ctx, "imported", azkeys.ImportKeyParameters{Key: jwk, HSM: to.Ptr(true)}, nil)
	require.NoError(t, err)
	assert.Equal(t, azkeys.KeyTypeRSAHSM, *res.Key.Kty)
	assert.Equal(t, priv.N.Bytes(), res.Key.N)
	d := sha256.Sum256([]byte("x"))
	s, err := c.Sign(ctx, "imported", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: d[:]}, nil)
	require.NoError(t, err)
	want, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, d[:])
	require.NoError(t, err)
	assert.Equal(t, want, s.Result, "PKCS#1 v1.5 is deterministic: the vault used the imported key")

	bad := *jwk
	bad.P = priv.Primes[1].Bytes()
	_, err = c.ImportKey(ctx, "bad", azkeys.ImportKeyParameters{Key: &bad}, nil)
	kvError(t, err, 400, "BadParameter", "")
	pubOnly := &azkeys.JSONWebKey{Kty: to.Ptr(azkeys.KeyTypeRSA), N: jwk.N, E: jwk.E}
	_, err = c.ImportKey(ctx, "bad", azkeys.ImportKeyParameters{Key: pubOnly}, nil)
	kvError(t, err, 400, "BadParameter", "")
}

func TestKeysStateRules(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()
	kb, err := c.CreateKey(ctx, "k", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	secret := []byte("aek")
	wrapped, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, rsaPub(kb.Key), secret, nil)
	require.NoError(t, err)
	op := func(v []byte) azkeys.KeyOperationParameters {
		return azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: v}
	}
	digest := make([]byte, 32)
	sig, err := c.Sign(ctx, "k", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: digest}, nil)
	require.NoError(t, err)
	all := map[string]func() error{
		"encrypt": func() error { _, err := c.Encrypt(ctx, "k", "", op(secret), nil); return err },
		"decrypt": func() error { _, err := c.Decrypt(ctx, "k", "", op(wrapped), nil); return err },
		"wrap":    func() error { _, err := c.WrapKey(ctx, "k", "", op(secret), nil); return err },
		"unwrap":  func() error { _, err := c.UnwrapKey(ctx, "k", "", op(wrapped), nil); return err },
		"sign": func() error {
			_, err := c.Sign(ctx, "k", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: digest}, nil)
			return err
		},
		"verify": func() error {
			_, err := c.Verify(ctx, "k", "", azkeys.VerifyParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Digest: digest, Signature: sig.Result}, nil)
			return err
		},
	}

	t.Run("disabled refuses every crypto op", func(t *testing.T) {
		_, err := c.UpdateKey(ctx, "k", "", azkeys.UpdateKeyParameters{KeyAttributes: &azkeys.KeyAttributes{Enabled: to.Ptr(false)}}, nil)
		require.NoError(t, err)
		got, err := c.GetKey(ctx, "k", "", nil)
		require.NoError(t, err, "a disabled key can still be read")
		assert.False(t, *got.Attributes.Enabled)
		for name, f := range all {
			t.Run(name, func(t *testing.T) { kvError(t, f(), 403, "Forbidden", "KeyDisabled") })
		}
		_, err = c.UpdateKey(ctx, "k", "", azkeys.UpdateKeyParameters{KeyAttributes: &azkeys.KeyAttributes{Enabled: to.Ptr(true)}}, nil)
		require.NoError(t, err)
	})

	t.Run("expired refuses encrypt wrap sign only", func(t *testing.T) {
		now := emu.Clock().Now()
		_, err := c.UpdateKey(ctx, "k", "", azkeys.UpdateKeyParameters{KeyAttributes: &azkeys.KeyAttributes{Expires: to.Ptr(now.Add(time.Hour))}}, nil)
		require.NoError(t, err)
		for _, f := range all {
			require.NoError(t, f())
		}
		emu.AdvanceClock(ctx, 2*time.Hour)
		for name, f := range all {
			switch name {
			case "encrypt", "wrap", "sign":
				kvError(t, f(), 403, "Forbidden", "")
			default:
				assert.NoError(t, f(), name)
			}
		}
	})

	t.Run("not yet valid refuses encrypt wrap sign only", func(t *testing.T) {
		_, err := c.CreateKey(ctx, "k", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA),
			KeyAttributes: &azkeys.KeyAttributes{NotBefore: to.Ptr(emu.Clock().Now().Add(24 * time.Hour))}}, nil)
		require.NoError(t, err)
		kb, err := c.GetKey(ctx, "k", "", nil)
		require.NoError(t, err)
		wrapped, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, rsaPub(kb.Key), secret, nil)
		require.NoError(t, err)
		for name, f := range all {
			switch name {
			case "encrypt", "wrap", "sign":
				kvError(t, f(), 403, "Forbidden", "")
			case "verify":
				// sig was made by the previous version: verifies false, still 200
				assert.NoError(t, f())
			default:
				assert.NoError(t, f(), name)
			}
		}
	})

	t.Run("key_ops enforced", func(t *testing.T) {
		_, err := c.CreateKey(ctx, "wraponly", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA),
			KeyOps: []*azkeys.KeyOperation{to.Ptr(azkeys.KeyOperationWrapKey)}}, nil)
		require.NoError(t, err)
		_, err = c.WrapKey(ctx, "wraponly", "", op(secret), nil)
		require.NoError(t, err)
		_, err = c.UnwrapKey(ctx, "wraponly", "", op(make([]byte, 256)), nil)
		kvError(t, err, 403, "Forbidden", "KeyOperationForbidden")
		_, err = c.Sign(ctx, "wraponly", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmRS256), Value: digest}, nil)
		kvError(t, err, 403, "Forbidden", "KeyOperationForbidden")
	})
}

func TestKeysSoftDeleteRecoverPurge(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()
	kb, err := c.CreateKey(ctx, "sd", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	require.NoError(t, err)
	del, err := c.DeleteKey(ctx, "sd", nil)
	require.NoError(t, err)
	require.NotNil(t, del.RecoveryID)
	assert.Equal(t, 90*24*time.Hour, del.ScheduledPurgeDate.Sub(*del.DeletedDate))

	_, err = c.GetKey(ctx, "sd", "", nil)
	kvError(t, err, 404, "KeyNotFound", "")
	_, err = c.GetKey(ctx, "sd", kb.Key.KID.Version(), nil)
	kvError(t, err, 404, "KeyNotFound", "")
	_, err = c.Sign(ctx, "sd", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmES256), Value: make([]byte, 32)}, nil)
	kvError(t, err, 404, "KeyNotFound", "")
	_, err = c.CreateKey(ctx, "sd", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	kvError(t, err, 409, "Conflict", "ObjectIsDeletedButRecoverable")
	_, err = c.ImportKey(ctx, "sd", azkeys.ImportKeyParameters{Key: &azkeys.JSONWebKey{Kty: to.Ptr(azkeys.KeyTypeEC)}}, nil)
	kvError(t, err, 409, "Conflict", "ObjectIsDeletedButRecoverable")

	got, err := c.GetDeletedKey(ctx, "sd", nil)
	require.NoError(t, err)
	assert.Equal(t, *del.RecoveryID, *got.RecoveryID)
	found := false
	pager := c.NewListDeletedKeyPropertiesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		for _, d := range page.Value {
			found = found || d.KID.Name() == "sd"
		}
	}
	assert.True(t, found)

	_, err = c.PurgeDeletedKey(ctx, "sd", nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByPolicy")
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)

	rec, err := c.RecoverDeletedKey(ctx, "sd", nil)
	require.NoError(t, err)
	assert.Equal(t, *kb.Key.KID, *rec.Key.KID)
	_, err = c.GetKey(ctx, "sd", "", nil)
	require.NoError(t, err)

	// automatic purge at scheduledPurgeDate on the emulator clock
	_, err = c.DeleteKey(ctx, "sd", nil)
	require.NoError(t, err)
	emu.AdvanceClock(ctx, 91*24*time.Hour)
	_, err = c.GetDeletedKey(ctx, "sd", nil)
	kvError(t, err, 404, "KeyNotFound", "")
	_, err = c.CreateKey(ctx, "sd", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	require.NoError(t, err, "the name is free once purged")
}

func TestKeysPurgeWithoutProtection(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	_, _, err := emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "purgeable", TenantID: emulator.DevTenantID,
		SoftDeleteRetentionDays: 7, AccessPolicies: []keyvault.AccessPolicy{{TenantID: emulator.DevTenantID, ObjectID: emulator.DevObjectID, Keys: keyvault.AllKeyPermissions()}}})
	require.NoError(t, err)
	c := keysClient(t, emu, devCredential(t, emu), vaultURL(emu, "purgeable"))
	kb, err := c.CreateKey(ctx, "p", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	require.NoError(t, err)
	assert.Equal(t, "CustomizedRecoverable+Purgeable", *kb.Attributes.RecoveryLevel)
	assert.EqualValues(t, 7, *kb.Attributes.RecoverableDays)
	del, err := c.DeleteKey(ctx, "p", nil)
	require.NoError(t, err)
	assert.Equal(t, 7*24*time.Hour, del.ScheduledPurgeDate.Sub(*del.DeletedDate))
	_, err = c.PurgeDeletedKey(ctx, "p", nil)
	require.NoError(t, err)
	_, err = c.GetDeletedKey(ctx, "p", nil)
	kvError(t, err, 404, "KeyNotFound", "")
}

// vaultURL is the host-style URL of another vault of the emulator.
func vaultURL(emu *emulator.Emulator, name string) string {
	return strings.Replace(emu.DevVaultURL(), "://"+emulator.DevVaultName+".", "://"+name+".", 1)
}

func TestKeysBackupRestore(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	c := devKeys(t, emu)
	kb, err := c.CreateKey(ctx, "bk", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	_, err = c.RotateKey(ctx, "bk", nil)
	require.NoError(t, err)
	b, err := c.BackupKey(ctx, "bk", nil)
	require.NoError(t, err)
	require.NotEmpty(t, b.Value)
	_, err = c.RestoreKey(ctx, azkeys.RestoreKeyParameters{KeyBackup: b.Value}, nil)
	kvError(t, err, 409, "Conflict", "")

	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "second", TenantID: emulator.DevTenantID,
		AccessPolicies: []keyvault.AccessPolicy{{TenantID: emulator.DevTenantID, ObjectID: emulator.DevObjectID, Keys: keyvault.AllKeyPermissions()}}})
	require.NoError(t, err)
	c2 := keysClient(t, emu, devCredential(t, emu), vaultURL(emu, "second"))
	res, err := c2.RestoreKey(ctx, azkeys.RestoreKeyParameters{KeyBackup: b.Value}, nil)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(*res.Key.KID), "https://second.vault.localhost:"), string(*res.Key.KID))
	old, err := c2.GetKey(ctx, "bk", kb.Key.KID.Version(), nil)
	require.NoError(t, err, "every version is restored with its id")
	assert.Equal(t, kb.Key.N, old.Key.N)
	// the restored key decrypts what the original's public key encrypted
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, rsaPub(kb.Key), []byte("moved"), nil)
	require.NoError(t, err)
	dec, err := c2.Decrypt(ctx, "bk", kb.Key.KID.Version(), azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: ct}, nil)
	require.NoError(t, err)
	assert.Equal(t, []byte("moved"), dec.Result)

	_, err = c2.RestoreKey(ctx, azkeys.RestoreKeyParameters{KeyBackup: []byte("not a backup")}, nil)
	kvError(t, err, 400, "BadParameter", "")
}

func TestKeysRotationPolicy(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()
	kb, err := c.CreateKey(ctx, "rot", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr[int32](3072)}, nil)
	require.NoError(t, err)
	def, err := c.GetKeyRotationPolicy(ctx, "rot", nil)
	require.NoError(t, err)
	require.Len(t, def.LifetimeActions, 1)
	assert.Equal(t, azkeys.KeyRotationPolicyActionNotify, *def.LifetimeActions[0].Action.Type)

	pol, err := c.UpdateKeyRotationPolicy(ctx, "rot", azkeys.KeyRotationPolicy{
		Attributes: &azkeys.KeyRotationPolicyAttributes{ExpiryTime: to.Ptr("P90D")},
		LifetimeActions: []*azkeys.LifetimeAction{
			{Trigger: &azkeys.LifetimeActionTrigger{TimeAfterCreate: to.Ptr("P30D")}, Action: &azkeys.LifetimeActionType{Type: to.Ptr(azkeys.KeyRotationPolicyActionRotate)}},
			{Trigger: &azkeys.LifetimeActionTrigger{TimeBeforeExpiry: to.Ptr("P10D")}, Action: &azkeys.LifetimeActionType{Type: to.Ptr(azkeys.KeyRotationPolicyActionNotify)}},
		}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "P90D", *pol.Attributes.ExpiryTime)
	require.NotNil(t, pol.ID)

	_, err = c.UpdateKeyRotationPolicy(ctx, "rot", azkeys.KeyRotationPolicy{LifetimeActions: []*azkeys.LifetimeAction{
		{Trigger: &azkeys.LifetimeActionTrigger{TimeAfterCreate: to.Ptr("P1D")}, Action: &azkeys.LifetimeActionType{Type: to.Ptr(azkeys.KeyRotationPolicyActionRotate)}}}}, nil)
	kvError(t, err, 400, "BadParameter", "")

	emu.AdvanceClock(ctx, 31*24*time.Hour)
	cur, err := c.GetKey(ctx, "rot", "", nil)
	require.NoError(t, err)
	assert.NotEqual(t, kb.Key.KID.Version(), cur.Key.KID.Version(), "rotated by the policy on the emulator clock")
	assert.Equal(t, 3072, rsaPub(cur.Key).N.BitLen())
	require.NotNil(t, cur.Attributes.Expires)

	manual, err := c.RotateKey(ctx, "rot", nil)
	require.NoError(t, err)
	assert.NotEqual(t, cur.Key.KID.Version(), manual.Key.KID.Version())
}

func TestKeysAccessDenied(t *testing.T) {
	emu := startAzemu(t)
	ctx := context.Background()
	_, err := devKeys(t, emu).CreateKey(ctx, "guarded", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	p, err := emu.Identity().RegisterPrincipal(ctx, identity.ServicePrincipalSpec{TenantID: emulator.DevTenantID,
		ClientID: "33333333-0000-4000-8000-000000000003", ObjectID: "33333333-0000-4000-8000-0000000000a3",
		DisplayName: "no-permissions", Secret: "other-secret"})
	require.NoError(t, err)
	other := keysClient(t, emu, secretCredential(t, emu, p.ClientID, "other-secret"), emu.DevVaultURL())
	_, err = other.GetKey(ctx, "guarded", "", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	_, err = other.UnwrapKey(ctx, "guarded", "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: make([]byte, 256)}, nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")

	// grant wrapKey/unwrapKey only
	_, err = emu.Vault().UpdateAccessPolicies(ctx, emulator.DevVaultName, keyvault.AccessPolicyAdd, []keyvault.AccessPolicy{
		{TenantID: emulator.DevTenantID, ObjectID: p.ObjectID, Keys: []string{"wrapKey", "unwrapKey"}}})
	require.NoError(t, err)
	w, err := other.WrapKey(ctx, "guarded", "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: []byte("aek")}, nil)
	require.NoError(t, err)
	u, err := other.UnwrapKey(ctx, "guarded", "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: w.Result}, nil)
	require.NoError(t, err)
	assert.Equal(t, []byte("aek"), u.Result)
	_, err = other.DeleteKey(ctx, "guarded", nil)
	kvError(t, err, 403, "Forbidden", "AccessDenied")

	// an RBAC vault: the same principal needs a role
	_, _, err = emu.Vault().CreateOrUpdateVault(ctx, keyvault.VaultSpec{Name: "rbacvault", TenantID: emulator.DevTenantID, EnableRBACAuthorization: true})
	require.NoError(t, err)
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: emulator.DevObjectID, RoleDefinition: keyvault.RoleKeyVaultCryptoOfficer})
	require.NoError(t, err)
	_, err = keysClient(t, emu, devCredential(t, emu), vaultURL(emu, "rbacvault")).CreateKey(ctx, "r", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	rbacOther := keysClient(t, emu, secretCredential(t, emu, p.ClientID, "other-secret"), vaultURL(emu, "rbacvault"))
	_, err = rbacOther.WrapKey(ctx, "r", "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: []byte("aek")}, nil)
	kvError(t, err, 403, "Forbidden", "ForbiddenByRbac")
	_, err = emu.Vault().AssignRole(ctx, "rbacvault", keyvault.RoleAssignment{PrincipalID: p.ObjectID, RoleDefinition: keyvault.RoleKeyVaultCryptoServiceEncryptionUser})
	require.NoError(t, err)
	_, err = rbacOther.WrapKey(ctx, "r", "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: []byte("aek")}, nil)
	require.NoError(t, err)
}

// TestKeysNoPlaintextOnDisk walks the data directory for the private key
// material of an imported key.
func TestKeysNoPlaintextOnDisk(t *testing.T) {
	dir := t.TempDir()
	emu := startAzemu(t, withDataDir(dir))
	c := devKeys(t, emu)
	ctx := context.Background()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	priv.Precompute()
	_, err = c.ImportKey(ctx, "canary", azkeys.ImportKeyParameters{Key: &azkeys.JSONWebKey{Kty: to.Ptr(azkeys.KeyTypeRSA),
		N: priv.N.Bytes(), E: big.NewInt(int64(priv.E)).Bytes(), D: priv.D.Bytes(), P: priv.Primes[0].Bytes(), Q: priv.Primes[1].Bytes()}}, nil)
	require.NoError(t, err)
	b, err := c.BackupKey(ctx, "canary", nil)
	require.NoError(t, err)
	require.NotEmpty(t, b.Value)
	files := 0
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for name, canary := range map[string][]byte{"d": priv.D.Bytes(), "p": priv.Primes[0].Bytes(), "q": priv.Primes[1].Bytes()} {
			assert.False(t, bytes.Contains(data, canary), "private %s in %s", name, path)
			assert.False(t, bytes.Contains(data, []byte(b64url(canary))), "private %s (base64url) in %s", name, path)
		}
		return nil
	}))
	assert.Positive(t, files)
}

// TestKeysSurviveRestart: keys, versions and deleted keys persist across a
// restart on the same data directory (sealed with the persisted root key).
func TestKeysSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	emu := startAzemu(t, withDataDir(dir))
	c := devKeys(t, emu)
	kb, err := c.CreateKey(ctx, "durable", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	_, err = c.CreateKey(ctx, "gone", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	require.NoError(t, err)
	_, err = c.DeleteKey(ctx, "gone", nil)
	require.NoError(t, err)
	require.NoError(t, emu.Close())

	emu2 := startAzemu(t, withDataDir(dir))
	c2 := devKeys(t, emu2)
	got, err := c2.GetKey(ctx, "durable", kb.Key.KID.Version(), nil)
	require.NoError(t, err)
	assert.Equal(t, kb.Key.N, got.Key.N)
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, rsaPub(kb.Key), []byte("still here"), nil)
	require.NoError(t, err)
	dec, err := c2.Decrypt(ctx, "durable", "", azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: ct}, nil)
	require.NoError(t, err)
	assert.Equal(t, []byte("still here"), dec.Result)
	_, err = c2.GetDeletedKey(ctx, "gone", nil)
	require.NoError(t, err)
}

func b64url(b []byte) string {
	out, _ := json.Marshal(keyvault.Base64URL(b))
	return string(out[1 : len(out)-1])
}

// Benchmarks: one wrap + unwrap (RSA-OAEP-256) of a 32-byte key through the
// SDK and the emulator's HTTPS endpoint, against the raw RSA operations in
// process (Direct). The difference is the vault's overhead.
//
//	go test ./conformance -run '^$' -bench WrapUnwrap -benchtime 2s
func BenchmarkWrapUnwrapRSA2048SDK(b *testing.B)    { benchWrapUnwrapSDK(b, 2048) }
func BenchmarkWrapUnwrapRSA3072SDK(b *testing.B)    { benchWrapUnwrapSDK(b, 3072) }
func BenchmarkWrapUnwrapRSA2048Direct(b *testing.B) { benchWrapUnwrapDirect(b, 2048) }
func BenchmarkWrapUnwrapRSA3072Direct(b *testing.B) { benchWrapUnwrapDirect(b, 3072) }

func benchWrapUnwrapSDK(b *testing.B, bits int32) {
	emu := startAzemu(b)
	c := devKeys(b, emu)
	ctx := context.Background()
	_, err := c.CreateKey(ctx, "bench", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr(bits)}, nil)
	require.NoError(b, err)
	aek := make([]byte, 32)
	alg := to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256)
	b.ResetTimer()
	for b.Loop() {
		w, err := c.WrapKey(ctx, "bench", "", azkeys.KeyOperationParameters{Algorithm: alg, Value: aek}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.UnwrapKey(ctx, "bench", "", azkeys.KeyOperationParameters{Algorithm: alg, Value: w.Result}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func benchWrapUnwrapDirect(b *testing.B, bits int) {
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	require.NoError(b, err)
	aek := make([]byte, 32)
	for b.Loop() {
		w, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &priv.PublicKey, aek, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rsa.DecryptOAEP(sha256.New(), rand.Reader, priv, w, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestKeysWireFidelity checks, through azkeys, the parts of Key Vault's wire
// behaviour an SDK user sees: parameter validation, absent optional
// properties, listing order, the default Notify action of rotation policies,
// crypto refusals as 400 (never 500) and a wrong signature as false.
func TestKeysWireFidelity(t *testing.T) {
	emu := startAzemu(t)
	c := devKeys(t, emu)
	ctx := context.Background()

	t.Run("create refuses parameters of the other key type", func(t *testing.T) {
		_, err := c.CreateKey(ctx, "x", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC), KeySize: to.Ptr[int32](256)}, nil)
		kvError(t, err, 400, "BadParameter", "")
		_, err = c.CreateKey(ctx, "x", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), Curve: to.Ptr(azkeys.CurveNameP256)}, nil)
		kvError(t, err, 400, "BadParameter", "")
		_, err = c.CreateKey(ctx, "x", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyType("DSA"))}, nil)
		kvError(t, err, 400, "BadParameter", "")
		_, err = c.CreateKey(ctx, "x", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSAHSM),
			ReleasePolicy: &azkeys.KeyReleasePolicy{EncodedPolicy: []byte(`{"anyOf":[]}`)}}, nil)
		kvError(t, err, 400, "BadParameter", "") // non-exportable keys must not have a release policy
		_, err = c.GetKey(ctx, "x", "", nil)
		kvError(t, err, 404, "KeyNotFound", "")
	})

	var resp *http.Response
	kb, err := c.CreateKey(runtime.WithCaptureResponse(ctx, &resp), "fid", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil)
	require.NoError(t, err)
	t.Run("key bundle and headers", func(t *testing.T) {
		assert.Nil(t, kb.ReleasePolicy, "release_policy is absent, not null")
		assert.Nil(t, kb.Managed)
		assert.Nil(t, kb.Tags)
		require.NotNil(t, kb.Attributes.Created)
		assert.Equal(t, *kb.Attributes.Created, *kb.Attributes.Updated)
		assert.Equal(t, []*azkeys.KeyOperation{to.Ptr(azkeys.KeyOperationEncrypt), to.Ptr(azkeys.KeyOperationDecrypt), to.Ptr(azkeys.KeyOperationSign),
			to.Ptr(azkeys.KeyOperationVerify), to.Ptr(azkeys.KeyOperationWrapKey), to.Ptr(azkeys.KeyOperationUnwrapKey)}, kb.Key.KeyOps)
		require.NotNil(t, resp)
		assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.NotEmpty(t, resp.Header.Get("x-ms-request-id"))
		assert.NotEmpty(t, resp.Header.Get("x-ms-keyvault-service-version"))
		assert.Contains(t, resp.Header.Get("x-ms-keyvault-network-info"), "addr=127.0.0.1;")
		assert.Equal(t, "max-age=31536000;includeSubDomains", resp.Header.Get("Strict-Transport-Security"))
	})

	t.Run("HSM keys report hsmPlatform and exportable", func(t *testing.T) {
		h, err := c.CreateKey(ctx, "fidhsm", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeECHSM)}, nil)
		require.NoError(t, err)
		require.NotNil(t, h.Attributes.HSMPlatform)
		assert.Equal(t, "2", *h.Attributes.HSMPlatform)
		require.NotNil(t, h.Attributes.Exportable)
		assert.False(t, *h.Attributes.Exportable)
		assert.Nil(t, kb.Attributes.HSMPlatform, "software keys carry no hsmPlatform")
		_, err = c.UpdateKey(ctx, "fidhsm", "", azkeys.UpdateKeyParameters{KeyAttributes: h.Attributes}, nil)
		require.NoError(t, err, "attributes read back can be sent back")
	})

	t.Run("versions are listed by version id", func(t *testing.T) {
		ids := []string{kb.Key.KID.Version()}
		for range 3 {
			r, err := c.RotateKey(ctx, "fid", nil)
			require.NoError(t, err)
			ids = append(ids, r.Key.KID.Version())
		}
		var got []string
		pager := c.NewListKeyPropertiesVersionsPager("fid", nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			require.NoError(t, err)
			for _, p := range page.Value {
				got = append(got, p.KID.Version())
			}
		}
		sort.Strings(ids)
		assert.Equal(t, ids, got)
		page, err := c.NewListKeyPropertiesVersionsPager("never-created", nil).NextPage(ctx)
		require.NoError(t, err, "versions of a missing key: an empty list, as Key Vault answers")
		assert.Empty(t, page.Value)
	})

	t.Run("rotation policy keeps a Notify action", func(t *testing.T) {
		pol, err := c.UpdateKeyRotationPolicy(ctx, "fid", azkeys.KeyRotationPolicy{LifetimeActions: []*azkeys.LifetimeAction{{
			Trigger: &azkeys.LifetimeActionTrigger{TimeAfterCreate: to.Ptr("P2M")},
			Action:  &azkeys.LifetimeActionType{Type: to.Ptr(azkeys.KeyRotationPolicyActionRotate)}}}}, nil)
		require.NoError(t, err)
		require.Len(t, pol.LifetimeActions, 2)
		assert.Equal(t, azkeys.KeyRotationPolicyActionNotify, *pol.LifetimeActions[1].Action.Type)
		assert.Equal(t, "P30D", *pol.LifetimeActions[1].Trigger.TimeBeforeExpiry)
		assert.Nil(t, pol.Attributes.ExpiryTime)
		assert.NotNil(t, pol.Attributes.Created)
		_, err = c.GetKeyRotationPolicy(ctx, "missing", nil)
		kvError(t, err, 404, "KeyNotFound", "")
		_, err = c.UpdateKeyRotationPolicy(ctx, "missing", azkeys.KeyRotationPolicy{}, nil)
		kvError(t, err, 404, "KeyNotFound", "")
	})

	t.Run("crypto refusals are 400 and a bad signature is false", func(t *testing.T) {
		op := func(n int) azkeys.KeyOperationParameters {
			return azkeys.KeyOperationParameters{Algorithm: to.Ptr(azkeys.EncryptionAlgorithmRSAOAEP256), Value: make([]byte, n)}
		}
		_, err := c.Encrypt(ctx, "fid", "", op(190), nil)
		require.NoError(t, err, "RSA-OAEP-256 on RSA-2048 takes up to 190 bytes")
		_, err = c.Encrypt(ctx, "fid", "", op(191), nil)
		kvError(t, err, 400, "BadParameter", "")
		_, err = c.WrapKey(ctx, "fid", "", op(191), nil)
		kvError(t, err, 400, "BadParameter", "")
		_, err = c.Decrypt(ctx, "fid", "", op(256), nil)
		kvError(t, err, 400, "BadParameter", "")
		_, err = c.UnwrapKey(ctx, "fid", "", op(7), nil)
		kvError(t, err, 400, "BadParameter", "")
		v, err := c.Verify(ctx, "fid", "", azkeys.VerifyParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmPS256), Digest: make([]byte, 32), Signature: make([]byte, 256)}, nil)
		require.NoError(t, err)
		assert.False(t, *v.Value)
		_, err = c.Sign(ctx, "fid", "", azkeys.SignParameters{Algorithm: to.Ptr(azkeys.SignatureAlgorithmPS512), Value: make([]byte, 32)}, nil)
		kvError(t, err, 400, "BadParameter", "")
		for _, n := range []int32{0, 129} {
			_, err = c.GetRandomBytes(ctx, azkeys.GetRandomBytesParameters{Count: to.Ptr(n)}, nil)
			kvError(t, err, 400, "BadParameter", "")
		}
		rb, err := c.GetRandomBytes(ctx, azkeys.GetRandomBytesParameters{Count: to.Ptr[int32](128)}, nil)
		require.NoError(t, err)
		assert.Len(t, rb.Value, 128)
	})

	t.Run("deleted key shapes", func(t *testing.T) {
		del, err := c.DeleteKey(ctx, "fid", nil)
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(*del.RecoveryID, "/deletedkeys/fid"), *del.RecoveryID)
		require.NotNil(t, del.DeletedDate)
		require.NotNil(t, del.ScheduledPurgeDate)
		assert.Len(t, del.Key.KID.Version(), 32, "a deleted key bundle names its latest version")
		pager := c.NewListDeletedKeyPropertiesPager(nil)
		page, err := pager.NextPage(ctx)
		require.NoError(t, err)
		require.Len(t, page.Value, 1)
		d := page.Value[0]
		assert.Empty(t, d.KID.Version(), "deleted items carry the base kid")
		assert.Equal(t, *del.RecoveryID, *d.RecoveryID)
		assert.Equal(t, *del.ScheduledPurgeDate, *d.ScheduledPurgeDate)
	})
}
