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
		{"no data dir", Config{}, false},
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
