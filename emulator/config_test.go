package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAccounts(t *testing.T) {
	accts, err := ParseAccounts("acct1:" + DevAccountKey + ";acct2:AAAA:BBBB;")
	require.NoError(t, err)
	require.Len(t, accts, 2)
	assert.Equal(t, "acct1", accts[0].Name)
	assert.Len(t, accts[0].Keys, 1)
	assert.Equal(t, "acct2", accts[1].Name)
	assert.Len(t, accts[1].Keys, 2)

	for _, bad := range []string{"nokey", "a:b:c:d", "acct:not base64!"} {
		_, err := ParseAccounts(bad)
		assert.Error(t, err, bad)
	}
	accts, err = ParseAccounts("")
	require.NoError(t, err)
	assert.Empty(t, accts)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero in memory", Config{InMemory: true}, true},
		{"data dir", Config{DataDir: "x"}, true},
		{"zero value is in memory", Config{}, true},
		{"admin object id", Config{Admins: []string{DevObjectID}}, true},
		{"admin not a guid", Config{Admins: []string{"devprincipal"}}, false},
		{"port too big", Config{InMemory: true, BlobPort: 70000}, false},
		{"port disabled", Config{InMemory: true, FilePort: -1}, true},
		{"cert without key", Config{InMemory: true, CertFile: "c.pem"}, false},
		{"short root key", Config{InMemory: true, RootKey: "AAAA"}, false},
		{"root key", Config{InMemory: true, RootKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}, true},
		{"bad account name", Config{InMemory: true, Accounts: []Account{{Name: "Bad_Name", Keys: [][]byte{{1}}}}}, false},
		{"duplicate dev account", Config{InMemory: true, Accounts: []Account{{Name: DevAccountName, Keys: [][]byte{{1}}}}}, false},
		{"negative ttl", Config{InMemory: true, CMKCacheTTL: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestParsePrincipals(t *testing.T) {
	ps, err := ParsePrincipals("11111111-1111-4111-8111-111111111111:s3cret;22222222-2222-4222-8222-222222222222:x:33333333-3333-4333-8333-333333333333")
	require.NoError(t, err)
	require.Len(t, ps, 2)
	assert.Equal(t, "s3cret", ps[0].Secret)
	assert.Empty(t, ps[0].ObjectID)
	assert.Equal(t, "33333333-3333-4333-8333-333333333333", ps[1].ObjectID)
	_, err = ParsePrincipals("justanid")
	assert.Error(t, err)
	// Derived object ids are stable GUIDs.
	a, b := derivedObjectID("11111111-1111-4111-8111-111111111111"), derivedObjectID("11111111-1111-4111-8111-111111111111")
	assert.Equal(t, a, b)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, a)
}
