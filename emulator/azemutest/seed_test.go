package azemutest_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator/azemutest"
)

// One instance shared by subtests, reset between them: each subtest sees
// the seeded key and none of what the previous one created.
func TestResetIsolatesSubtests(t *testing.T) {
	emu := azemutest.Start(t, azemutest.WithSeed(azemutest.Seed(t, `
vaults:
  - name: appvault
    keys:
      - {name: signing, type: EC, curve: P-256}
`)))
	keys, err := azkeys.NewClient(emu.VaultURL("appvault"), emu.Credential(), &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
	require.NoError(t, err)
	ctx := context.Background()
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			emu.Reset(t)
			_, err := keys.GetKey(ctx, "signing", "", nil)
			require.NoError(t, err)
			pager := keys.NewListKeyPropertiesPager(nil)
			var names []string
			for pager.More() {
				page, err := pager.NextPage(ctx)
				require.NoError(t, err)
				for _, k := range page.Value {
					names = append(names, k.KID.Name())
				}
			}
			assert.Equal(t, []string{"signing"}, names)
			_, err = keys.CreateKey(ctx, "made-by-"+name, azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
			require.NoError(t, err)
		})
	}
}
