package storageauth

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// SAS query parameter names.
const (
	sasVersion       = "sv"
	sasServices      = "ss"
	sasResourceTypes = "srt"
	sasPermissions   = "sp"
	sasStart         = "st"
	sasExpiry        = "se"
	sasIP            = "sip"
	sasProtocol      = "spr"
	sasSignature     = "sig"
	sasEncScope      = "ses"
	sasResource      = "sr"
	sasIdentifier    = "si"
	sasDirDepth      = "sdd"
)

// userDelegationParams are the fields only a user delegation SAS carries.
func userDelegationParams() []string {
	return []string{"skoid", "sktid", "skt", "ske", "sks", "skv"}
}

// Versions at which the SAS string-to-sign changed.
const (
	version20120212 = "2012-02-12"
	version20130815 = "2013-08-15"
	version20150405 = "2015-04-05"
	version20181109 = "2018-11-09"
	version20201206 = "2020-12-06"
)

// sasToken is the SAS part of a request's query, decoded. Values are kept
// exactly as sent, because the string-to-sign uses them verbatim.
type sasToken struct {
	params []queryParam
}

func (t sasToken) get(name string) string {
	v, _ := queryFirst(t.params, name)
	return v
}

func (t sasToken) has(name string) bool {
	_, ok := queryFirst(t.params, name)
	return ok
}

// isSAS reports whether the query carries a SAS signature.
func isSAS(params []queryParam) bool {
	_, ok := queryFirst(params, sasSignature)
	return ok
}

// sasTimeLayouts are the ISO 8601 forms Azure accepts for st and se.
func sasTimeLayouts() []string {
	return []string{
		"2006-01-02T15:04:05Z",
		"2006-01-02T15:04:05.0000000Z",
		time.RFC3339Nano,
		"2006-01-02T15:04Z",
		"2006-01-02",
	}
}

func parseSASTime(v string) (time.Time, bool) {
	for _, l := range sasTimeLayouts() {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// validVersion reports whether v looks like a storage api version.
func validVersion(v string) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	for i, c := range []byte(v) {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ipRange is a parsed sip: a single address or an inclusive range.
type ipRange struct{ start, end net.IP }

func parseIPRange(v string) (ipRange, bool) {
	a, b, isRange := strings.Cut(v, "-")
	start := net.ParseIP(strings.TrimSpace(a))
	if start == nil {
		return ipRange{}, false
	}
	end := start
	if isRange {
		end = net.ParseIP(strings.TrimSpace(b))
		if end == nil {
			return ipRange{}, false
		}
	}
	return ipRange{normIP(start), normIP(end)}, true
}

func normIP(ip net.IP) net.IP {
	if v4 := ip.To4(); v4 != nil {
		return v4
	}
	return ip.To16()
}

func (r ipRange) contains(ip net.IP) bool {
	if ip == nil {
		return false
	}
	ip = normIP(ip)
	if len(ip) != len(r.start) || len(ip) != len(r.end) {
		return false
	}
	return bytes.Compare(ip, r.start) >= 0 && bytes.Compare(ip, r.end) <= 0
}

// notWellFormed is Azure's answer to a SAS with a missing or malformed field.
func notWellFormed(why string) *storageerr.Error {
	return authFailed("Signature fields not well formed. " + why)
}

// sasCommon holds the checked fields shared by account and service SAS.
type sasCommon struct {
	version     string
	start       time.Time // zero when absent
	expiry      time.Time // zero when absent (only with a stored access policy)
	permissions string
	ip          *ipRange
	httpsOnly   bool
}

// parseCommon checks sv, st, se, sip and spr.
func parseCommon(t sasToken) (sasCommon, error) {
	var c sasCommon
	c.version = t.get(sasVersion)
	if c.version == "" {
		return c, notWellFormed("sv is mandatory. Cannot be empty")
	}
	if !validVersion(c.version) {
		return c, notWellFormed("The value of sv '" + c.version + "' is not a valid storage service version.")
	}
	if v := t.get(sasStart); v != "" {
		st, ok := parseSASTime(v)
		if !ok {
			return c, notWellFormed("The value of st '" + v + "' is not a valid ISO 8601 UTC time.")
		}
		c.start = st
	}
	if v := t.get(sasExpiry); v != "" {
		se, ok := parseSASTime(v)
		if !ok {
			return c, notWellFormed("The value of se '" + v + "' is not a valid ISO 8601 UTC time.")
		}
		c.expiry = se
	}
	if v := t.get(sasIP); v != "" {
		r, ok := parseIPRange(v)
		if !ok {
			return c, notWellFormed("The value of sip '" + v + "' is not an IP address or an IP range 'start-end'.")
		}
		c.ip = &r
	}
	switch v := t.get(sasProtocol); v {
	case "", "https,http", "http,https":
	case "https":
		c.httpsOnly = true
	default:
		return c, notWellFormed("The value of spr '" + v + "' is not valid; use 'https' or 'https,http'.")
	}
	c.permissions = t.get(sasPermissions)
	return c, nil
}

// checkTime checks the validity window against the real clock.
func checkTime(start, expiry, now time.Time) error {
	f := func(t time.Time) string { return t.UTC().Format(http.TimeFormat) }
	if expiry.IsZero() {
		return notWellFormed("se is mandatory. Cannot be empty")
	}
	if !start.IsZero() && !expiry.After(start) {
		return authFailed("Signed expiry time [" + f(expiry) + "] must be after signed start time [" + f(start) + "]")
	}
	if start.IsZero() {
		if !expiry.After(now) {
			return authFailed("Signed expiry time [" + f(expiry) + "] must be after signed start time [" + f(now) + "]")
		}
		return nil
	}
	if now.Before(start) || !expiry.After(now) {
		return authFailed("Signature not valid in the specified time frame: Start [" + f(start) + "] - Expiry [" +
			f(expiry) + "] - Current [" + f(now) + "]")
	}
	return nil
}

// checkTransport checks the protocol (spr) and the source IP (sip).
func checkTransport(c sasCommon, req Request) error {
	if c.httpsOnly && !req.HTTPS {
		return storageerr.ErrAuthorizationProtocolMismatch
	}
	if c.ip != nil && !c.ip.contains(req.ClientIP) {
		return storageerr.ErrAuthorizationSourceIPMismatch.WithMessage(
			"This request is not authorized to perform this operation using this source IP %s.", req.ClientIP)
	}
	return nil
}

// grants reports whether the SAS permission string allows the operation:
// Permission or any letter of AltPermissions. An operation that names no
// letter at all cannot be done with a SAS.
func grants(permissions string, req Request) bool {
	if req.Permission != 0 && strings.IndexByte(permissions, req.Permission) >= 0 {
		return true
	}
	for i := 0; i < len(req.AltPermissions); i++ {
		if strings.IndexByte(permissions, req.AltPermissions[i]) >= 0 {
			return true
		}
	}
	return false
}

func sigMismatch(stringToSign string) *storageerr.Error {
	return authFailed("Signature did not match. String to sign used was " + stringToSign)
}

// AccountSASStringToSign returns the account SAS string-to-sign for the
// given query (sv decides the layout). Exported for tests and diagnostics.
func AccountSASStringToSign(account string, query string) string {
	return accountStringToSign(account, sasToken{parseQuery(query)})
}

func accountStringToSign(account string, t sasToken) string {
	return accountStringToSignLayout(account, t, t.get(sasVersion))
}

func accountStringToSignLayout(account string, t sasToken, layout string) string {
	fields := []string{account, t.get(sasPermissions), t.get(sasServices), t.get(sasResourceTypes),
		t.get(sasStart), t.get(sasExpiry), t.get(sasIP), t.get(sasProtocol), t.get(sasVersion)}
	if layout >= version20201206 {
		fields = append(fields, t.get(sasEncScope))
	}
	return strings.Join(fields, "\n") + "\n"
}

// authenticateAccountSAS checks an account SAS (ss, srt).
func authenticateAccountSAS(req Request, keys [][]byte, t sasToken) (Result, error) {
	c, err := parseCommon(t)
	if err != nil {
		return Result{}, err
	}
	if c.version < version20150405 {
		return Result{}, notWellFormed("Account SAS requires sv 2015-04-05 or later.")
	}
	for _, f := range []string{sasServices, sasResourceTypes, sasPermissions, sasExpiry} {
		if t.get(f) == "" {
			return Result{}, notWellFormed(f + " is mandatory. Cannot be empty")
		}
	}
	var candidates []string
	for _, l := range layouts(c.version) {
		candidates = append(candidates, accountStringToSignLayout(req.Account, t, l))
	}
	if !matchAny(t.get(sasSignature), keys, candidates) {
		return Result{}, sigMismatch(candidates[0])
	}
	if err := checkTime(c.start, c.expiry, req.Now); err != nil {
		return Result{}, err
	}
	if err := checkTransport(c, req); err != nil {
		return Result{}, err
	}
	if req.Service == 0 || strings.IndexByte(t.get(sasServices), byte(req.Service)) < 0 {
		return Result{}, storageerr.ErrAuthorizationServiceMismatch
	}
	if !req.AnyResourceType && (req.ResourceType == 0 || strings.IndexByte(t.get(sasResourceTypes), req.ResourceType) < 0) {
		return Result{}, storageerr.ErrAuthorizationResourceTypeMismatch
	}
	if !grants(c.permissions, req) {
		return Result{}, storageerr.ErrAuthorizationPermissionMismatch
	}
	return Result{Method: MethodAccountSAS, Permissions: c.permissions}, nil
}

// serviceCanonicalResource returns the canonicalized resource a service SAS
// with signed resource sr signs for req, or an error when sr cannot be used
// at the level req addresses.
func serviceCanonicalResource(req Request, sr string, t sasToken) (string, error) {
	levelErr := authFailed("The specified signed resource is not allowed for the this resource level")
	switch req.Service {
	case ServiceBlob:
		base := "/blob/" + req.Account + "/" + req.Container
		switch sr {
		case "c":
			if req.Container == "" {
				return "", levelErr
			}
			return base, nil
		case "b", "bs", "bv":
			if req.Container == "" || req.Path == "" {
				return "", levelErr
			}
			return base + "/" + req.Path, nil
		case "d":
			depth, err := strconv.Atoi(t.get(sasDirDepth))
			if err != nil || depth < 0 {
				return "", notWellFormed("sdd is mandatory for a directory SAS (sr=d) and must be a non-negative integer.")
			}
			segs := strings.Split(strings.Trim(req.Path, "/"), "/")
			if req.Container == "" || req.Path == "" || depth == 0 || len(segs) < depth {
				return "", levelErr
			}
			return base + "/" + strings.Join(segs[:depth], "/"), nil
		}
	case ServiceFile:
		base := "/file/" + req.Account + "/" + req.Container
		switch sr {
		case "s":
			if req.Container == "" {
				return "", levelErr
			}
			return base, nil
		case "f":
			if req.Container == "" || req.Path == "" {
				return "", levelErr
			}
			return base + "/" + strings.TrimPrefix(req.Path, "/"), nil
		}
	}
	return "", notWellFormed("The value of sr '" + sr + "' is not a valid signed resource for this service.")
}

// serviceStringToSign builds a service SAS string-to-sign in the layout of
// api version layout (normally the token's sv).
func serviceStringToSign(svc Service, canonical string, t sasToken, signedTimestamp, layout string) string {
	f := []string{t.get(sasPermissions), t.get(sasStart), t.get(sasExpiry), canonical, t.get(sasIdentifier)}
	if layout >= version20150405 {
		f = append(f, t.get(sasIP), t.get(sasProtocol))
	}
	f = append(f, t.get(sasVersion))
	if svc == ServiceBlob && layout >= version20181109 {
		f = append(f, t.get(sasResource), signedTimestamp)
		if layout >= version20201206 {
			f = append(f, t.get(sasEncScope))
		}
	}
	if layout >= version20130815 {
		f = append(f, t.get("rscc"), t.get("rscd"), t.get("rsce"), t.get("rscl"), t.get("rsct"))
	}
	return strings.Join(f, "\n")
}

// layouts returns the string-to-sign layouts to try for a token of version
// sv: its own first and then, for versions before 2020-12-06, the current
// layout, because the Go SDK's SAS builders sign the current layout whatever
// Version they are given (Azure itself would reject those tokens).
func layouts(sv string) []string {
	if sv < version20201206 {
		return []string{sv, version20201206}
	}
	return []string{sv}
}

// ServiceSASStringToSign returns the service SAS string-to-sign for req and
// the given query (sv and sr decide the layout), or "" when sr does not fit
// req. Exported for tests and diagnostics.
func ServiceSASStringToSign(req Request, query string) string {
	t := sasToken{parseQuery(query)}
	canon, err := serviceCanonicalResource(req, t.get(sasResource), t)
	if err != nil {
		return ""
	}
	return serviceStringToSign(req.Service, canon, t, signedTimestamp(t), t.get(sasVersion))
}

// signedTimestamp is the snapshot time (sr=bs) or version id (sr=bv) a blob
// service SAS signs; both come from the request's own query.
func signedTimestamp(t sasToken) string {
	switch t.get(sasResource) {
	case "bs":
		return t.get("snapshot")
	case "bv":
		return t.get("versionid")
	}
	return ""
}

// authenticateServiceSAS checks a service SAS (sr), merging a stored access
// policy when si names one.
func authenticateServiceSAS(ctx context.Context, req Request, keys [][]byte, policies PolicyLookup, t sasToken) (Result, error) {
	c, err := parseCommon(t)
	if err != nil {
		return Result{}, err
	}
	if c.version < version20120212 {
		return Result{}, notWellFormed("sv " + c.version + " is older than 2012-02-12 and is not supported by azemu.")
	}
	sr := t.get(sasResource)
	canon, err := serviceCanonicalResource(req, sr, t)
	if err != nil {
		return Result{}, err
	}
	canons := []string{canon}
	if strings.Contains(req.Path, `\`) && sr != "c" && sr != "s" {
		// The SDKs sign a backslash in a name as '/'.
		canons = append(canons, strings.Replace(canon, req.Path, strings.ReplaceAll(req.Path, `\`, "/"), 1))
	}
	var candidates []string
	for _, l := range layouts(c.version) {
		for _, cn := range canons {
			candidates = append(candidates, serviceStringToSign(req.Service, cn, t, signedTimestamp(t), l))
		}
	}
	if !matchAny(t.get(sasSignature), keys, candidates) {
		return Result{}, sigMismatch(candidates[0])
	}

	start, expiry, perms := c.start, c.expiry, c.permissions
	if si := t.get(sasIdentifier); si != "" {
		var pol Policy
		var found bool
		if policies != nil {
			pol, found, err = policies(ctx, si)
			if err != nil {
				return Result{}, fmt.Errorf("storageauth: look up stored access policy: %w", err)
			}
		}
		if !found {
			return Result{}, authFailed("The signed identifier '" + si + "' does not name a stored access policy of this container or share.")
		}
		both := func(name string) error {
			return storageerr.ErrInvalidQueryParameterValue.
				WithMessage("The %s field is specified both in the shared access signature and in the stored access policy '%s'; give it in only one place.", name, si).
				WithDetail("QueryParameterName", name).
				WithDetail("QueryParameterValue", t.get(name))
		}
		if !pol.Start.IsZero() {
			if !start.IsZero() {
				return Result{}, both(sasStart)
			}
			start = pol.Start
		}
		if !pol.Expiry.IsZero() {
			if !expiry.IsZero() {
				return Result{}, both(sasExpiry)
			}
			expiry = pol.Expiry
		}
		if pol.Permission != "" {
			if perms != "" {
				return Result{}, both(sasPermissions)
			}
			perms = pol.Permission
		}
	}
	if perms == "" {
		return Result{}, notWellFormed("sp is mandatory. Cannot be empty")
	}
	if err := checkTime(start, expiry, req.Now); err != nil {
		return Result{}, err
	}
	if err := checkTransport(c, req); err != nil {
		return Result{}, err
	}
	if !grants(perms, req) {
		return Result{}, storageerr.ErrAuthorizationPermissionMismatch
	}
	return Result{
		Method:             MethodServiceSAS,
		Permissions:        perms,
		CacheControl:       t.get("rscc"),
		ContentDisposition: t.get("rscd"),
		ContentEncoding:    t.get("rsce"),
		ContentLanguage:    t.get("rscl"),
		ContentType:        t.get("rsct"),
	}, nil
}

// authenticateSAS dispatches a SAS to the account or service checks.
func authenticateSAS(ctx context.Context, req Request, keys [][]byte, policies PolicyLookup, params []queryParam) (Result, error) {
	t := sasToken{params}
	for _, p := range userDelegationParams() {
		if t.has(p) {
			return Result{}, authFailed("azemu does not support user delegation SAS yet (a SAS signed with a user delegation key: skoid, sktid, skt, ske, sks, skv). Use a service SAS or an account SAS signed with the account key.")
		}
	}
	if t.get(sasSignature) == "" {
		return Result{}, notWellFormed("sig is mandatory. Cannot be empty")
	}
	if sig := t.get(sasSignature); strings.Contains(sig, " ") {
		// A client that did not escape '+' in sig sends it as a space after
		// query decoding; base64 never contains a space.
		t.params = append([]queryParam{{sasSignature, strings.ReplaceAll(sig, " ", "+")}}, t.params...)
	}
	switch {
	case t.get(sasResource) != "":
		return authenticateServiceSAS(ctx, req, keys, policies, t)
	case t.has(sasServices) || t.has(sasResourceTypes):
		return authenticateAccountSAS(req, keys, t)
	}
	return Result{}, notWellFormed("A service SAS needs sr; an account SAS needs ss and srt.")
}
