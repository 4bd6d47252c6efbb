package keyvault

import (
	"context"
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateKeyRefusesParametersOfTheOtherKeyType(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	for name, p := range map[string]CreateKeyParams{
		"EC key_size":        {Kty: KtyEC, KeySize: 256},
		"EC-HSM key_size":    {Kty: KtyECHSM, Curve: CurveP384, KeySize: 384},
		"EC public_exponent": {Kty: KtyEC, PublicExponent: 65537},
		"RSA crv":            {Kty: KtyRSA, Curve: CurveP256},
		"RSA-HSM crv":        {Kty: KtyRSAHSM, Curve: CurveP521},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.s.CreateKey(ctx, dev, DevVaultName, "k", p)
			requireKVError(t, err, http.StatusBadRequest, CodeBadParameter, "")
		})
	}
}

func TestListKeyVersionsByVersionID(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	var ids []string
	for range 5 {
		kb, err := f.s.CreateKey(ctx, dev, DevVaultName, "k", CreateKeyParams{Kty: KtyEC})
		require.NoError(t, err)
		ids = append(ids, kb.Version)
	}
	sort.Strings(ids)
	var got []string
	o := ListOptions{MaxResults: 2}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5)
		p, err := f.s.ListKeyVersions(ctx, dev, DevVaultName, "k", o)
		require.NoError(t, err)
		for _, it := range p.Items {
			got = append(got, it.Version)
		}
		if p.Next == "" {
			break
		}
		o.Token = p.Next
	}
	assert.Equal(t, ids, got)
	_, err := f.s.ListKeyVersions(ctx, dev, DevVaultName, "k", ListOptions{Token: "!"})
	requireKVError(t, err, http.StatusBadRequest, CodeBadParameter, "")
	kb, err := f.s.GetKey(ctx, dev, KeyRef{DevVaultName, "k", ""})
	require.NoError(t, err)
	assert.NotEmpty(t, kb.Version, "the latest version is still the last created, whatever the listing order")
}

func TestSetRotationPolicyKeepsANotifyAction(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	_, err := f.s.CreateKey(ctx, dev, DevVaultName, "k", CreateKeyParams{Kty: KtyEC})
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		in, want []LifetimeAction
	}{
		"rotate only": {
			in:   []LifetimeAction{{TimeAfterCreate: "P2M", Action: "rotate"}},
			want: []LifetimeAction{{TimeAfterCreate: "P2M", Action: "Rotate"}, {TimeBeforeExpiry: "P30D", Action: "Notify"}},
		},
		"none": {want: []LifetimeAction{{TimeBeforeExpiry: "P30D", Action: "Notify"}}},
		"own notify": {
			in:   []LifetimeAction{{TimeBeforeExpiry: "P10D", Action: "Notify"}},
			want: []LifetimeAction{{TimeBeforeExpiry: "P10D", Action: "Notify"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := f.s.SetRotationPolicy(ctx, dev, DevVaultName, "k", RotationPolicy{LifetimeActions: tc.in, ExpiryTime: "P90D"})
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.LifetimeActions)
			got, err := f.s.GetRotationPolicy(ctx, dev, DevVaultName, "k")
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.LifetimeActions)
		})
	}
}

func TestListKeyVersionsOfAMissingKeyIsEmpty(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	p, err := f.s.ListKeyVersions(ctx, dev, DevVaultName, "never", ListOptions{})
	require.NoError(t, err, "Key Vault lists no versions rather than KeyNotFound")
	assert.Empty(t, p.Items)
	assert.NotNil(t, p.Items)
	assert.Empty(t, p.Next)
	_, err = f.s.CreateKey(ctx, dev, DevVaultName, "gone", CreateKeyParams{Kty: KtyEC})
	require.NoError(t, err)
	_, err = f.s.DeleteKey(ctx, dev, DevVaultName, "gone")
	require.NoError(t, err)
	p, err = f.s.ListKeyVersions(ctx, dev, DevVaultName, "gone", ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, p.Items)
	_, err = f.s.ListKeyVersions(ctx, stranger, DevVaultName, "never", ListOptions{})
	requireKVError(t, err, http.StatusForbidden, CodeForbidden, CodeAccessDenied)
	_, err = f.s.ListKeyVersions(ctx, dev, DevVaultName, "never", ListOptions{MaxResults: 26})
	requireKVError(t, err, http.StatusBadRequest, CodeBadParameter, "")
}
