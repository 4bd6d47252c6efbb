package fileapi

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

func TestParseServiceProperties(t *testing.T) {
	tests := []struct {
		name string
		body string
		code string
		cors int
	}{
		{"cors", `<StorageServiceProperties><Cors><CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET</AllowedMethods><AllowedHeaders>*</AllowedHeaders><ExposedHeaders></ExposedHeaders><MaxAgeInSeconds>5</MaxAgeInSeconds></CorsRule></Cors></StorageServiceProperties>`, "", 1},
		{"metrics only", `<StorageServiceProperties><HourMetrics><Version>1.0</Version><Enabled>false</Enabled><RetentionPolicy><Enabled>false</Enabled></RetentionPolicy></HourMetrics></StorageServiceProperties>`, "", -1},
		{"smb", `<StorageServiceProperties><ProtocolSettings><SMB><Multichannel><Enabled>true</Enabled></Multichannel></SMB></ProtocolSettings></StorageServiceProperties>`, "", -1},
		{"empty", ``, "InvalidXmlDocument", 0},
		{"broken", `<StorageServiceProperties><Cors>`, "InvalidXmlDocument", 0},
		{"rule without origin", `<StorageServiceProperties><Cors><CorsRule><AllowedMethods>GET</AllowedMethods></CorsRule></Cors></StorageServiceProperties>`, "InvalidXmlNodeValue", 0},
		{"bad days", `<StorageServiceProperties><HourMetrics><RetentionPolicy><Enabled>true</Enabled><Days>0</Days></RetentionPolicy></HourMetrics></StorageServiceProperties>`, "InvalidXmlNodeValue", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseServiceProperties([]byte(tc.body))
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			if tc.cors < 0 {
				assert.Nil(t, p.Cors, "absent Cors means unchanged")
			} else {
				assert.Len(t, p.Cors, tc.cors)
			}
			out, err := xml.Marshal(servicePropertiesXML(p))
			require.NoError(t, err)
			_, err = parseServiceProperties(out)
			require.NoError(t, err, "rendered properties parse again")
		})
	}
}

func TestParseSignedIdentifiers(t *testing.T) {
	ids, err := parseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>2026-01-01T00:00:00Z</Start><Expiry>2026-01-02T00:00:00.0000000Z</Expiry><Permission>rl</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`))
	require.NoError(t, err)
	require.Len(t, ids, 1)
	assert.Equal(t, "a", ids[0].ID)
	assert.Equal(t, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), ids[0].Policy.Expiry)
	ids, err = parseSignedIdentifiers(nil)
	require.NoError(t, err)
	assert.Empty(t, ids)
	for _, bad := range []string{
		`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>yesterday</Start></AccessPolicy></SignedIdentifier></SignedIdentifiers>`,
		`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Permission>rx</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`,
		`<SignedIdentifiers>`,
	} {
		_, err := parseSignedIdentifiers([]byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestParsePermission(t *testing.T) {
	p, err := parsePermission([]byte(`{"permission":"O:SYG:SY","format":"sddl"}`))
	require.NoError(t, err)
	assert.Equal(t, "O:SYG:SY", p.Permission)
	for _, bad := range []string{``, `{}`, `{"permission":""}`, `[`, `{"permission":5}`} {
		_, err := parsePermission([]byte(bad))
		assert.Equal(t, "InvalidInput", storageerr.CodeOf(err), bad)
	}
}

func TestNormalizePath(t *testing.T) {
	assert.Equal(t, "a/b", normalizePath("/a./b../", ""))
	assert.Equal(t, "a./b", normalizePath("a./b", "true"))
	assert.Equal(t, "...", normalizePath("...", ""), "a name of dots only is left for the service to refuse")
}

func FuzzParseServiceProperties(f *testing.F) {
	f.Add([]byte(`<StorageServiceProperties><Cors><CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>5</MaxAgeInSeconds></CorsRule></Cors></StorageServiceProperties>`))
	f.Add([]byte(`<StorageServiceProperties><ProtocolSettings><SMB><Multichannel><Enabled>true</Enabled></Multichannel></SMB></ProtocolSettings></StorageServiceProperties>`))
	f.Add([]byte(`<StorageServiceProperties><HourMetrics><RetentionPolicy><Days>7</Days></RetentionPolicy></HourMetrics></StorageServiceProperties>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseServiceProperties(b)
		if err != nil {
			if storageerr.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if _, err := xml.Marshal(servicePropertiesXML(p)); err != nil {
			t.Fatalf("render: %v", err)
		}
	})
}

func FuzzParseSignedIdentifiers(f *testing.F) {
	f.Add([]byte(`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>2026-01-01T00:00:00Z</Start><Permission>r</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := parseSignedIdentifiers(b)
		if err != nil {
			if storageerr.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if _, err := xml.Marshal(storagehttp.SignedIdentifiersXML(ids)); err != nil {
			t.Fatalf("render: %v", err)
		}
	})
}

func FuzzParsePermission(f *testing.F) {
	f.Add([]byte(`{"permission":"O:SYG:SY","format":"sddl"}`))
	f.Add([]byte(`{"permission":"AQAAAA==","format":"binary"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePermission(b)
		if err != nil {
			if storageerr.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if p.Permission == "" {
			t.Fatal("empty permission accepted")
		}
	})
}
