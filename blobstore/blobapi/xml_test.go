package blobapi

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

func TestParseBlockList(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []blobstore.BlockListItem
		code string
	}{
		{"order kept", `<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>QQ==</Latest><Committed>Qg==</Committed><Uncommitted> Qw== </Uncommitted><Latest>QQ==</Latest></BlockList>`,
			[]blobstore.BlockListItem{{ID: "QQ==", Lookup: blobstore.LookupLatest}, {ID: "Qg==", Lookup: blobstore.LookupCommitted}, {ID: "Qw==", Lookup: blobstore.LookupUncommitted}, {ID: "QQ==", Lookup: blobstore.LookupLatest}}, ""},
		{"empty list", `<BlockList/>`, nil, ""},
		{"empty body", ``, nil, "InvalidXmlDocument"},
		{"wrong root", `<Blocks><Latest>QQ==</Latest></Blocks>`, nil, "InvalidXmlDocument"},
		{"unknown element", `<BlockList><Newest>QQ==</Newest></BlockList>`, nil, "InvalidXmlDocument"},
		{"nested", `<BlockList><Latest><X/></Latest></BlockList>`, nil, "InvalidXmlDocument"},
		{"truncated", `<BlockList><Latest>QQ==</Latest>`, nil, "InvalidXmlDocument"},
		{"two roots", `<BlockList/><BlockList/>`, nil, "InvalidXmlDocument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseBlockList([]byte(tc.body))
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseSignedIdentifiers(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?><SignedIdentifiers><SignedIdentifier><Id>policy1</Id><AccessPolicy><Start>2009-09-28T08:49:37.0000000Z</Start><Expiry>2009-09-29T08:49:37Z</Expiry><Permission>rwd</Permission></AccessPolicy></SignedIdentifier><SignedIdentifier><Id>bare</Id></SignedIdentifier></SignedIdentifiers>`
	ids, err := parseSignedIdentifiers([]byte(body))
	require.NoError(t, err)
	require.Len(t, ids, 2)
	assert.Equal(t, "policy1", ids[0].ID)
	assert.Equal(t, time.Date(2009, 9, 28, 8, 49, 37, 0, time.UTC), ids[0].Policy.Start)
	assert.Equal(t, time.Date(2009, 9, 29, 8, 49, 37, 0, time.UTC), ids[0].Policy.Expiry)
	assert.Equal(t, "rwd", ids[0].Policy.Permission)
	assert.True(t, ids[1].Policy.Start.IsZero())

	out, err := xml.Marshal(storagehttp.SignedIdentifiersXML(ids))
	require.NoError(t, err)
	assert.Equal(t, `<SignedIdentifiers><SignedIdentifier><Id>policy1</Id><AccessPolicy><Start>2009-09-28T08:49:37.0000000Z</Start><Expiry>2009-09-29T08:49:37.0000000Z</Expiry><Permission>rwd</Permission></AccessPolicy></SignedIdentifier><SignedIdentifier><Id>bare</Id><AccessPolicy></AccessPolicy></SignedIdentifier></SignedIdentifiers>`, string(out))

	ids, err = parseSignedIdentifiers(nil)
	require.NoError(t, err)
	assert.Empty(t, ids)
	_, err = parseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier><Id>x</Id><AccessPolicy><Start>yesterday</Start></AccessPolicy></SignedIdentifier></SignedIdentifiers>`))
	assert.Equal(t, "InvalidXmlNodeValue", storageerr.CodeOf(err))
	for _, perm := range []string{"rz", "R", "rw d", "r\u00e9"} {
		_, err = parseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier><Id>x</Id><AccessPolicy><Permission>` + perm + `</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`))
		assert.Equal(t, "InvalidXmlNodeValue", storageerr.CodeOf(err), "permission %q", perm)
	}
	ids, err = parseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier><Id>x</Id><AccessPolicy><Permission>racwdxyltfmeopi</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`))
	require.NoError(t, err)
	assert.Equal(t, "racwdxyltfmeopi", ids[0].Policy.Permission)
	_, err = parseSignedIdentifiers([]byte(`<SignedIdentifiers><SignedIdentifier>`))
	assert.Equal(t, "InvalidXmlDocument", storageerr.CodeOf(err))
	_, err = parseSignedIdentifiers([]byte(`<Other/>`))
	assert.Equal(t, "InvalidXmlDocument", storageerr.CodeOf(err))
}

func TestServicePropertiesRoundTrip(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?><StorageServiceProperties><Cors><CorsRule><AllowedOrigins>http://a.example</AllowedOrigins><AllowedMethods>GET,PUT</AllowedMethods><MaxAgeInSeconds>60</MaxAgeInSeconds><ExposedHeaders>x-ms-meta-*</ExposedHeaders><AllowedHeaders>x-ms-*</AllowedHeaders></CorsRule></Cors><DefaultServiceVersion>2020-10-02</DefaultServiceVersion></StorageServiceProperties>`
	p, err := parseServiceProperties([]byte(body))
	require.NoError(t, err)
	assert.Nil(t, p.Logging, "absent element means unchanged")
	require.Len(t, p.Cors, 1)
	assert.Equal(t, blobstore.CorsRule{AllowedOrigins: "http://a.example", AllowedMethods: "GET,PUT", MaxAgeInSeconds: 60, ExposedHeaders: "x-ms-meta-*", AllowedHeaders: "x-ms-*"}, p.Cors[0])
	assert.Equal(t, "2020-10-02", p.DefaultServiceVersion)

	out, err := xml.Marshal(servicePropertiesXML(p))
	require.NoError(t, err)
	s := string(out)
	assert.True(t, strings.HasPrefix(s, "<StorageServiceProperties><Logging><Version>1.0</Version>"), s)
	assert.Contains(t, s, "<Cors><CorsRule><AllowedOrigins>http://a.example</AllowedOrigins><AllowedMethods>GET,PUT</AllowedMethods><MaxAgeInSeconds>60</MaxAgeInSeconds>")
	assert.Contains(t, s, "<DefaultServiceVersion>2020-10-02</DefaultServiceVersion>")

	p, err = parseServiceProperties([]byte(`<StorageServiceProperties><Cors/></StorageServiceProperties>`))
	require.NoError(t, err)
	assert.NotNil(t, p.Cors, "an empty Cors element clears the rules")
	assert.Empty(t, p.Cors)

	six := "<StorageServiceProperties><Cors>" + strings.Repeat("<CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>1</MaxAgeInSeconds><ExposedHeaders/><AllowedHeaders/></CorsRule>", 6) + "</Cors></StorageServiceProperties>"
	_, err = parseServiceProperties([]byte(six))
	assert.Equal(t, "InvalidXmlDocument", storageerr.CodeOf(err))
	badMethod := "<StorageServiceProperties><Cors><CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET,FETCH</AllowedMethods><MaxAgeInSeconds>1</MaxAgeInSeconds><ExposedHeaders/><AllowedHeaders/></CorsRule></Cors></StorageServiceProperties>"
	_, err = parseServiceProperties([]byte(badMethod))
	assert.Equal(t, "InvalidXmlNodeValue", storageerr.CodeOf(err), "CORS rules allow only the methods Azure Storage supports")
	_, err = parseServiceProperties([]byte("<StorageServiceProperties>"))
	assert.Equal(t, "InvalidXmlDocument", storageerr.CodeOf(err))
	_, err = parseServiceProperties(nil)
	assert.Equal(t, "InvalidXmlDocument", storageerr.CodeOf(err))
}

func TestBlobListXML(t *testing.T) {
	lm := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	x := xmlBlobList{ServiceEndpoint: "http://127.0.0.1:10000/devstoreaccount1", ContainerName: "c", NextMarker: "m2"}
	d := "/"
	x.Delimiter = &d
	x.Blobs.Items = []any{
		blobXML(&blobstore.BlobProperties{Name: "a.txt", BlobType: blobstore.BlockBlob, ETag: "0x1", LastModified: lm, CreationTime: lm, ContentLength: 3,
			HTTPHeaders: blobstore.HTTPHeaders{ContentType: "text/plain", ContentMD5: []byte{1, 2}}, AccessTier: "Hot", AccessTierInferred: true,
			Metadata: map[string]string{"k": "v"}, IsCommitted: true}, false),
		xmlBlobPrefix{Name: blobName("dir/")},
		blobXML(&blobstore.BlobProperties{Name: "bad\x01name", BlobType: blobstore.AppendBlob, IsCommitted: true}, false),
		blobXML(&blobstore.BlobProperties{Name: "cool", BlobType: blobstore.BlockBlob, IsCommitted: true, AccessTier: "Cool", AccessTierChangeTime: lm}, false),
		blobXML(&blobstore.BlobProperties{Name: "staged", BlobType: blobstore.BlockBlob, Metadata: map[string]string{}}, false),
	}
	out, err := xml.Marshal(x)
	require.NoError(t, err)
	s := string(out)
	assert.Contains(t, s, `<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c"><Delimiter>/</Delimiter><Blobs><Blob><Name>a.txt</Name><Properties><Creation-Time>Tue, 02 Jan 2024 03:04:05 GMT</Creation-Time><Last-Modified>Tue, 02 Jan 2024 03:04:05 GMT</Last-Modified><Etag>0x1</Etag><Content-Length>3</Content-Length><Content-Type>text/plain</Content-Type>`)
	assert.Contains(t, s, `<Content-MD5>AQI=</Content-MD5>`)
	assert.Contains(t, s, `<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted><AccessTierInferred>true</AccessTierInferred></Properties><Metadata><k>v</k></Metadata></Blob><BlobPrefix><Name>dir/</Name></BlobPrefix>`)
	assert.Contains(t, s, `<Name Encoded="true">bad%01name</Name>`)
	assert.Contains(t, s, `<ServerEncrypted>true</ServerEncrypted><AccessTierInferred>false</AccessTierInferred><AccessTierChangeTime>Tue, 02 Jan 2024 03:04:05 GMT</AccessTierChangeTime>`)
	// An uncommitted blob has no dates, ETag, content headers or metadata.
	assert.Contains(t, s, `<Blob><Name>staged</Name><Properties><Content-Length>0</Content-Length><BlobType>BlockBlob</BlobType><LeaseStatus>`)
	assert.NotContains(t, s, `<Name>staged</Name><Properties><Content-Length>0</Content-Length><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties><Metadata>`)
	assert.True(t, strings.HasSuffix(s, `</Blobs><NextMarker>m2</NextMarker></EnumerationResults>`), s)
}

func FuzzParseBlockList(f *testing.F) {
	f.Add(`<BlockList><Latest>QQ==</Latest><Committed>Qg==</Committed></BlockList>`)
	f.Add(`<BlockList/>`)
	f.Add(`<BlockList><Latest>`)
	f.Fuzz(func(t *testing.T, s string) {
		items, err := parseBlockList([]byte(s))
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		for _, it := range items {
			switch it.Lookup {
			case blobstore.LookupCommitted, blobstore.LookupUncommitted, blobstore.LookupLatest:
			default:
				t.Fatalf("bad lookup %q", it.Lookup)
			}
		}
	})
}

func FuzzParseSignedIdentifiers(f *testing.F) {
	f.Add(`<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>2020-01-01T00:00:00Z</Start><Permission>r</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := parseSignedIdentifiers([]byte(s))
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		for _, id := range ids {
			require.NotEmpty(t, id.ID)
		}
	})
}

func FuzzParseServiceProperties(f *testing.F) {
	f.Add(`<StorageServiceProperties><Cors><CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>5</MaxAgeInSeconds></CorsRule></Cors></StorageServiceProperties>`)
	f.Add(`<StorageServiceProperties><Logging><Version>1.0</Version><RetentionPolicy><Enabled>true</Enabled><Days>7</Days></RetentionPolicy></Logging></StorageServiceProperties>`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseServiceProperties([]byte(s))
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		require.LessOrEqual(t, len(p.Cors), 5)
		_, err = xml.Marshal(servicePropertiesXML(p))
		require.NoError(t, err)
	})
}
