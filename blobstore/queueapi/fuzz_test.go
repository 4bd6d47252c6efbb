package queueapi

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp/storagetest"
	"github.com/azemu/azemu/crypto"
)

const testAccount = "devstoreaccount1"

// staticKeys seals every account's queue data with one key.
type staticKeys struct{ key crypto.Key }

func (k staticKeys) SealKey(ctx context.Context, account string) (crypto.Key, error) {
	if account != testAccount {
		return crypto.Key{}, storageerr.ErrAccountNotFound
	}
	return k.key, nil
}

// oneAccount knows only testAccount.
type oneAccount struct{ key []byte }

func (a oneAccount) AccountKeys(ctx context.Context, account string) ([][]byte, error) {
	if account != testAccount {
		return nil, storageerr.ErrAccountNotFound
	}
	return [][]byte{a.key}, nil
}

// FuzzParseMessageText: Put/Update Message bodies.
func FuzzParseMessageText(f *testing.F) {
	f.Add([]byte("<QueueMessage><MessageText>hello</MessageText></QueueMessage>"))
	f.Add([]byte("<QueueMessage><MessageText>&lt;&amp;</MessageText></QueueMessage>"))
	f.Add([]byte("<QueueMessage/>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := parseMessageText(b); err != nil && storageerr.CodeOf(err) == "" {
			t.Fatalf("not a storage error: %v", err)
		}
	})
}

// FuzzParseACL: Set Queue ACL bodies.
func FuzzParseACL(f *testing.F) {
	f.Add([]byte("<SignedIdentifiers><SignedIdentifier><Id>a</Id><AccessPolicy><Start>2026-01-01T00:00:00Z</Start><Expiry>2027-01-01T00:00:00.0000000Z</Expiry><Permission>raup</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>"))
	f.Add([]byte("<SignedIdentifiers/>"))
	f.Add([]byte("<SignedIdentifiers><SignedIdentifier><AccessPolicy><Permission>w</Permission></AccessPolicy></SignedIdentifier></SignedIdentifiers>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ids, err := parseACL(b)
		if err != nil && storageerr.CodeOf(err) == "" {
			t.Fatalf("not a storage error: %v", err)
		}
		for _, id := range ids {
			for _, c := range id.Policy.Permission {
				if c != 'r' && c != 'a' && c != 'u' && c != 'p' {
					t.Fatalf("permission %q accepted", id.Policy.Permission)
				}
			}
		}
	})
}

// FuzzParseServiceProperties: Set Queue Service Properties bodies.
func FuzzParseServiceProperties(f *testing.F) {
	f.Add([]byte("<StorageServiceProperties><Logging><Version>1.0</Version><Delete>true</Delete><Read>false</Read><Write>true</Write><RetentionPolicy><Enabled>true</Enabled><Days>7</Days></RetentionPolicy></Logging><Cors><CorsRule><AllowedOrigins>*</AllowedOrigins><AllowedMethods>GET</AllowedMethods><MaxAgeInSeconds>5</MaxAgeInSeconds><ExposedHeaders></ExposedHeaders><AllowedHeaders></AllowedHeaders></CorsRule></Cors></StorageServiceProperties>"))
	f.Add([]byte("<StorageServiceProperties><Cors/></StorageServiceProperties>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseServiceProperties(b)
		if err != nil {
			if storageerr.CodeOf(err) == "" {
				t.Fatalf("not a storage error: %v", err)
			}
			return
		}
		if len(p.Cors) > 5 {
			t.Fatalf("%d CORS rules accepted", len(p.Cors))
		}
	})
}

// FuzzQueryParams: visibilitytimeout, messagettl and numofmessages.
func FuzzQueryParams(f *testing.F) {
	f.Add("visibilitytimeout=30&numofmessages=32&messagettl=-1")
	f.Add("visibilitytimeout=-1&numofmessages=99999999999999999999")
	f.Add("numofmessages=&visibilitytimeout=1e3")
	f.Fuzz(func(t *testing.T, raw string) {
		qv, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if d, err := seconds(qv, "visibilitytimeout", 30, 1, maxVisibilitySeconds); err == nil && (d < 1e9 || d > queue.MaxVisibilityTimeout) {
			t.Fatalf("visibility %v accepted", d)
		} else if err != nil && storageerr.CodeOf(err) == "" {
			t.Fatalf("not a storage error: %v", err)
		}
		if n, err := messageCount(qv); err == nil && (n < 1 || n > queue.MaxMessagesPerGet) {
			t.Fatalf("count %d accepted", n)
		}
		_, _, _ = intParam(qv, "messagettl")
	})
}

// FuzzHandler sends signed requests with arbitrary paths, queries, headers
// and bodies through the whole Queue handler: it must always answer with a
// storage status and never panic.
func FuzzHandler(f *testing.F) {
	key := []byte("fuzz-key-fuzz-key-fuzz-key-fuzz!")
	sealKey, err := crypto.NewKey()
	require.NoError(f, err)
	svc, err := queue.Open(queue.Config{Keys: staticKeys{sealKey}})
	require.NoError(f, err)
	f.Cleanup(func() { _ = svc.Close() })
	_, err = svc.CreateQueue(context.Background(), testAccount, "fuzz", nil)
	require.NoError(f, err)
	h := New(Config{Service: svc, Accounts: oneAccount{key}})

	f.Add(uint8(5), "/devstoreaccount1/fuzz/messages", "messagettl=-1&visibilitytimeout=0", "", "", "<QueueMessage><MessageText>hi</MessageText></QueueMessage>")
	f.Add(uint8(0), "/devstoreaccount1/fuzz/messages", "numofmessages=32&visibilitytimeout=1", "", "", "")
	f.Add(uint8(0), "/devstoreaccount1/fuzz/messages", "peekonly=true", "", "", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz/messages/00000000-0000-4000-8000-000000000000", "popreceipt=AAAAAAAAAAAAAAAAAAAAAA%3D%3D&visibilitytimeout=0", "", "", "<QueueMessage><MessageText>x</MessageText></QueueMessage>")
	f.Add(uint8(3), "/devstoreaccount1/fuzz/messages/x", "popreceipt=abc", "", "", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz", "comp=metadata", "x-ms-meta-a", "b", "")
	f.Add(uint8(1), "/devstoreaccount1/fuzz", "comp=acl", "", "", "<SignedIdentifiers/>")
	f.Add(uint8(0), "/devstoreaccount1", "comp=list&include=metadata&maxresults=1", "", "", "")
	f.Add(uint8(1), "/devstoreaccount1", "restype=service&comp=properties", "", "", "<StorageServiceProperties><Cors/></StorageServiceProperties>")
	f.Add(uint8(4), "/devstoreaccount1/fuzz/messages", "", "Origin", "http://x", "")
	f.Fuzz(func(t *testing.T, m uint8, path, query, hname, hvalue, body string) {
		storagetest.ServeFuzz(t, h, "http://127.0.0.1:10001", testAccount, key, m, path, query, hname, hvalue, body)
	})
}
