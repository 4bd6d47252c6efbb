package storageauth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// fuzzRequest builds a request by hand (httptest.NewRequest panics on bad
// input; the server never hands us such a request, but fields can still be
// arbitrary).
func fuzzRequest(method, rawPath, rawQuery string) *http.Request {
	u := &url.URL{Path: rawPath, RawPath: rawPath, RawQuery: rawQuery}
	return &http.Request{Method: method, URL: u, RequestURI: rawPath + "?" + rawQuery, Header: http.Header{}, Host: "127.0.0.1"}
}

// checkErr fails unless err is nil, a *storageerr.Error, or a wrapped lookup error.
func checkErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	var se *storageerr.Error
	if !errors.As(err, &se) {
		t.Fatalf("unexpected error type %T: %v", err, err)
	}
	if se.Status != 400 && se.Status != 401 && se.Status != 403 {
		t.Fatalf("unexpected status %d: %v", se.Status, err)
	}
}

func fuzzReq() Request {
	return Request{Service: ServiceBlob, Account: devAccount, Container: "c", Path: "b", ResourceType: ResourceObject,
		Permission: PermRead, ClientIP: net.ParseIP("127.0.0.1"), Now: time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)}
}

func FuzzStringToSign(f *testing.F) {
	f.Add("PUT", "/devstoreaccount1/c/b", "comp=block&blockid=AAAA", "X-Ms-Meta-A_b", "v", "Thu, 26 Nov 2026 21:00:00 GMT")
	f.Add("GET", "/c/%2F%zz", "a=1&a=2&A=3&=x&&b", "x-ms-\xff", "", "")
	f.Add("", "", ";;%%", "X-Ms-'-'", "\n", "bogus")
	f.Fuzz(func(t *testing.T, method, path, query, hname, hvalue, date string) {
		r := fuzzRequest(method, path, query)
		r.Header[hname] = []string{hvalue}
		r.Header.Set("X-Ms-Date", date)
		for _, lite := range []bool{false, true} {
			if len(sharedKeyStrings(r, mustResource(t, path), lite)) == 0 {
				t.Fatal("no candidate string-to-sign")
			}
		}
		r.Header.Set("Authorization", "SharedKey devstoreaccount1:AAAA")
		_, err := Authenticate(context.Background(), r, fuzzReq(), [][]byte{devKey(t)}, nil)
		checkErr(t, err)
		if compareHeaderNames(hname, hvalue) != -compareHeaderNames(hvalue, hname) {
			t.Fatalf("compareHeaderNames not antisymmetric for %q, %q", hname, hvalue)
		}
	})
}

func FuzzParseSAS(f *testing.F) {
	f.Add("sv=2025-01-05&sr=b&sp=r&se=2099-01-01T00:00:00Z&sig=AAAA", "b")
	f.Add("sv=2019-12-12&ss=bf&srt=sco&sp=rwdl&st=2020-01-01&se=2099-01-01T00:00Z&sip=10.0.0.1-10.0.0.9&spr=https&sig=x", "")
	f.Add("sv=2025-01-05&sr=d&sdd=99&sp=r&se=2099-01-01T00:00:00Z&si=p&sig=AAAA&skoid=", "a/b")
	f.Add("sig=&sr=&ss=&sv=9999-99-99&sip=::1-10.0.0.1&spr=http", "")
	f.Add("sv=2025-01-05&sr=bs&snapshot=%zz&sp=r&se=2099&sig=%2B", "b\\c")
	f.Fuzz(func(t *testing.T, query, path string) {
		r := fuzzRequest(http.MethodGet, "/devstoreaccount1/c/"+path, query)
		lookup := func(context.Context, string) (Policy, bool, error) {
			return Policy{Expiry: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), Permission: "r"}, true, nil
		}
		for _, svc := range []Service{ServiceBlob, ServiceFile, 0} {
			q := fuzzReq()
			q.Service, q.Path = svc, path
			_, err := Authenticate(context.Background(), r, q, [][]byte{devKey(t)}, lookup)
			checkErr(t, err)
			_ = ServiceSASStringToSign(q, query)
		}
		_ = AccountSASStringToSign(devAccount, query)
	})
}

func FuzzAuthorizationHeader(f *testing.F) {
	f.Add("SharedKey devstoreaccount1:AAAA")
	f.Add("SharedKeyLite devstoreaccount1:Zm9v")
	f.Add("Bearer eyJ")
	f.Add("SharedKey :")
	f.Add("sharedkey a:b:c")
	f.Add("")
	f.Add("SharedKey devstoreaccount1:AAAA extra")
	f.Fuzz(func(t *testing.T, v string) {
		r := fuzzRequest(http.MethodGet, "/devstoreaccount1/c/b", "")
		r.Header.Set("X-Ms-Date", "Thu, 26 Nov 2026 21:00:00 GMT")
		r.Header["Authorization"] = []string{v}
		res, err := Authenticate(context.Background(), r, fuzzReq(), [][]byte{devKey(t)}, nil)
		checkErr(t, err)
		if err == nil && res.Method != MethodSharedKey && res.Method != MethodSharedKeyLite {
			t.Fatalf("accepted %q as %v", v, res.Method)
		}
	})
}

// resolve names the resource a request path addresses as the router reads
// it: the account (from the host when hostStyle, else the first segment)
// and the decoded segments after it.
func resolve(path string, hostStyle bool) (account string, rest []string) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, s := range segs {
		if d, err := url.PathUnescape(s); err == nil {
			segs[i] = d
		}
	}
	if hostStyle {
		return devAccount, segs
	}
	return strings.ToLower(segs[0]), segs[1:]
}

// FuzzCanonicalResource checks that a Shared Key canonicalized resource
// names one resource: two requests of the account, in either URL style,
// that canonicalResource accepts and maps to the same string address the
// same account, container and path. It also drives Authenticate with the
// path in both styles.
func FuzzCanonicalResource(f *testing.F) {
	f.Add("/devstoreaccount1/cont1/secret", false, "/devstoreaccount1/devstoreaccount1/cont1/secret", false)
	f.Add("/devstoreaccount1/cont1/secret", false, "/devstoreaccount1/cont1/secret", true)
	f.Add("/devstoreaccount1/c/b", false, "/c/b", true)
	f.Add("/%64evstoreaccount1/c", false, "/%64evstoreaccount1/c", true)
	f.Add("/DEVSTOREACCOUNT1", false, "", true)
	f.Add("", false, "/", true)
	f.Fuzz(func(t *testing.T, p1 string, host1 bool, p2 string, host2 bool) {
		for _, c := range []struct {
			p    string
			host bool
		}{{p1, host1}, {p2, host2}} {
			r := fuzzRequest(http.MethodDelete, c.p, "")
			r.Header.Set("X-Ms-Date", "Thu, 26 Nov 2026 21:00:00 GMT")
			r.Header.Set("Authorization", "SharedKey devstoreaccount1:AAAA")
			q := fuzzReq()
			q.HostStyle = c.host
			_, err := Authenticate(context.Background(), r, q, [][]byte{devKey(t)}, nil)
			checkErr(t, err)
			if err == nil {
				t.Fatalf("a made-up signature authenticated %q", c.p)
			}
		}
		// Only path-style paths of this account reach Shared Key
		// verification: the Authorization header must name the account the
		// path addresses.
		acct1, rest1 := resolve(p1, host1)
		acct2, rest2 := resolve(p2, host2)
		if acct1 != devAccount || acct2 != devAccount {
			return
		}
		s1, err1 := canonicalResource(devAccount, p1, host1)
		s2, err2 := canonicalResource(devAccount, p2, host2)
		if err1 != nil || err2 != nil {
			return
		}
		if !strings.HasPrefix(s1, "/"+devAccount+"/") && s1 != "/"+devAccount+"/" {
			t.Fatalf("resource %q of %q does not start with the account", s1, p1)
		}
		if s1 == s2 && !slices.Equal(rest1, rest2) {
			t.Fatalf("%q (host style %v) and %q (host style %v) address %q and %q but both sign %q", p1, host1, p2, host2, rest1, rest2, s1)
		}
	})
}
