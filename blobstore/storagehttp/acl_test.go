package storagehttp

import (
	"encoding/xml"
	"testing"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	blobACL = ACLRules{RequireID: true}
	fileACL = ACLRules{Permissions: "rcwdl", NodeValueDetail: true}
)

func TestParseSignedIdentifiersRules(t *testing.T) {
	tests := []struct {
		name  string
		rules ACLRules
		body  string
		code  string
		perm  string
	}{
		{"trimmed permission", blobACL, `<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Permission> rw </Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`, "", "rw"},
		{"any letters", blobACL, `<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Permission>rx</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`, "", "rx"},
		{"letters checked", fileACL, `<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Permission>rx</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`, "InvalidXmlNodeValue", ""},
		{"letters kept", fileACL, `<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Permission>rl</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`, "", "rl"},
		{"id required", blobACL, `<SignedIdentifiers><SignedIdentifier><Id></Id></SignedIdentifier></SignedIdentifiers>`, "InvalidXmlDocument", ""},
		{"id optional", fileACL, `<SignedIdentifiers><SignedIdentifier><Id></Id></SignedIdentifier></SignedIdentifiers>`, "", ""},
		{"other root", fileACL, `<Other/>`, "InvalidXmlDocument", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, err := ParseSignedIdentifiers([]byte(tc.body), tc.rules)
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			require.Len(t, ids, 1)
			assert.Equal(t, tc.perm, ids[0].Policy.Permission)
		})
	}
	_, err := ParseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>x</Start></AccessPolicy></SignedIdentifier></SignedIdentifiers>`), fileACL)
	var e *storageerr.Error
	require.ErrorAs(t, err, &e)
	assert.Len(t, e.Extra, 2, "XmlNodeName and XmlNodeValue")
	_, err = ParseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>x</Start></AccessPolicy></SignedIdentifier></SignedIdentifiers>`), blobACL)
	require.ErrorAs(t, err, &e)
	assert.Len(t, e.Extra, 1, "XmlNodeName only")
}

func FuzzParseSignedIdentifiers(f *testing.F) {
	f.Add([]byte(`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>2026-01-01T00:00:00Z</Start><Permission>r</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`), false)
	f.Add([]byte(``), true)
	f.Fuzz(func(t *testing.T, b []byte, file bool) {
		rules := blobACL
		if file {
			rules = fileACL
		}
		ids, err := ParseSignedIdentifiers(b, rules)
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		for _, id := range ids {
			if rules.RequireID {
				require.NotEmpty(t, id.ID)
			}
		}
		_, err = xml.Marshal(SignedIdentifiersXML(ids))
		require.NoError(t, err)
	})
}
