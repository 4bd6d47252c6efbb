package kvapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/azemu/azemu/keyvault"
)

// route is one operation: method, a pattern of segments where "{name}",
// "{version}" and "{op}" capture and other segments are literals matched
// case-insensitively, and its handler.
type route struct {
	method  string
	pattern string
	name    string
	handle  func(*server, http.ResponseWriter, *http.Request, request) error
	ops     []string // allowed {op} values (lower case)
}

var cryptoOps = []string{"encrypt", "decrypt", "wrapkey", "unwrapkey", "sign", "verify", "release"}

// routes: literal routes come first so "/keys/{name}/{op}" (versionless
// crypto, as azcore sends it) wins over "/keys/{name}/{version}".
// Reference: https://learn.microsoft.com/rest/api/keyvault/keys
var routes = []route{
	{method: "GET", pattern: "keys", name: "GetKeys", handle: (*server).GetKeys},
	{method: "POST", pattern: "keys/restore", name: "RestoreKey", handle: (*server).RestoreKey},
	{method: "POST", pattern: "keys/{name}/create", name: "CreateKey", handle: (*server).CreateKey},
	{method: "POST", pattern: "keys/{name}/backup", name: "BackupKey", handle: (*server).BackupKey},
	{method: "POST", pattern: "keys/{name}/rotate", name: "RotateKey", handle: (*server).RotateKey},
	{method: "GET", pattern: "keys/{name}/versions", name: "GetKeyVersions", handle: (*server).GetKeyVersions},
	{method: "GET", pattern: "keys/{name}/rotationpolicy", name: "GetKeyRotationPolicy", handle: (*server).GetKeyRotationPolicy},
	{method: "PUT", pattern: "keys/{name}/rotationpolicy", name: "UpdateKeyRotationPolicy", handle: (*server).UpdateKeyRotationPolicy},
	{method: "POST", pattern: "keys/{name}/{op}", name: "KeyOperation", handle: (*server).KeyOperation, ops: cryptoOps},
	{method: "POST", pattern: "keys/{name}/{version}/{op}", name: "KeyOperation", handle: (*server).KeyOperation, ops: cryptoOps},
	{method: "GET", pattern: "keys/{name}/{version}/attestation", name: "GetKeyAttestation", handle: (*server).GetKeyAttestation},
	{method: "GET", pattern: "keys/{name}", name: "GetKey", handle: (*server).GetKey},
	{method: "PUT", pattern: "keys/{name}", name: "ImportKey", handle: (*server).ImportKey},
	{method: "DELETE", pattern: "keys/{name}", name: "DeleteKey", handle: (*server).DeleteKey},
	{method: "PATCH", pattern: "keys/{name}", name: "UpdateKey", handle: (*server).UpdateKey},
	{method: "GET", pattern: "keys/{name}/{version}", name: "GetKey", handle: (*server).GetKey},
	{method: "PATCH", pattern: "keys/{name}/{version}", name: "UpdateKey", handle: (*server).UpdateKey},
	{method: "GET", pattern: "deletedkeys", name: "GetDeletedKeys", handle: (*server).GetDeletedKeys},
	{method: "GET", pattern: "deletedkeys/{name}", name: "GetDeletedKey", handle: (*server).GetDeletedKey},
	{method: "DELETE", pattern: "deletedkeys/{name}", name: "PurgeDeletedKey", handle: (*server).PurgeDeletedKey},
	{method: "POST", pattern: "deletedkeys/{name}/recover", name: "RecoverDeletedKey", handle: (*server).RecoverDeletedKey},
	{method: "POST", pattern: "rng", name: "GetRandomBytes", handle: (*server).GetRandomBytes},
	// Secrets: https://learn.microsoft.com/rest/api/keyvault/secrets
	{method: "GET", pattern: "secrets", name: "GetSecrets", handle: (*server).GetSecrets},
	{method: "POST", pattern: "secrets/restore", name: "RestoreSecret", handle: (*server).RestoreSecret},
	{method: "POST", pattern: "secrets/{name}/backup", name: "BackupSecret", handle: (*server).BackupSecret},
	{method: "GET", pattern: "secrets/{name}/versions", name: "GetSecretVersions", handle: (*server).GetSecretVersions},
	{method: "GET", pattern: "secrets/{name}", name: "GetSecret", handle: (*server).GetSecret},
	{method: "PUT", pattern: "secrets/{name}", name: "SetSecret", handle: (*server).SetSecret},
	{method: "DELETE", pattern: "secrets/{name}", name: "DeleteSecret", handle: (*server).DeleteSecret},
	{method: "PATCH", pattern: "secrets/{name}", name: "UpdateSecret", handle: (*server).UpdateSecret},
	{method: "GET", pattern: "secrets/{name}/{version}", name: "GetSecret", handle: (*server).GetSecret},
	{method: "PATCH", pattern: "secrets/{name}/{version}", name: "UpdateSecret", handle: (*server).UpdateSecret},
	{method: "GET", pattern: "deletedsecrets", name: "GetDeletedSecrets", handle: (*server).GetDeletedSecrets},
	{method: "GET", pattern: "deletedsecrets/{name}", name: "GetDeletedSecret", handle: (*server).GetDeletedSecret},
	{method: "DELETE", pattern: "deletedsecrets/{name}", name: "PurgeDeletedSecret", handle: (*server).PurgeDeletedSecret},
	{method: "POST", pattern: "deletedsecrets/{name}/recover", name: "RecoverDeletedSecret", handle: (*server).RecoverDeletedSecret},
	// Certificates: https://learn.microsoft.com/rest/api/keyvault/certificates
	{method: "GET", pattern: "certificates", name: "GetCertificates", handle: (*server).GetCertificates},
	{method: "GET", pattern: "certificates/contacts", name: "GetCertificateContacts", handle: (*server).GetCertificateContacts},
	{method: "PUT", pattern: "certificates/contacts", name: "SetCertificateContacts", handle: (*server).SetCertificateContacts},
	{method: "DELETE", pattern: "certificates/contacts", name: "DeleteCertificateContacts", handle: (*server).DeleteCertificateContacts},
	{method: "GET", pattern: "certificates/issuers", name: "GetCertificateIssuers", handle: (*server).GetCertificateIssuers},
	{method: "GET", pattern: "certificates/issuers/{name}", name: "GetCertificateIssuer", handle: (*server).GetCertificateIssuer},
	{method: "PUT", pattern: "certificates/issuers/{name}", name: "SetCertificateIssuer", handle: (*server).SetCertificateIssuer},
	{method: "PATCH", pattern: "certificates/issuers/{name}", name: "UpdateCertificateIssuer", handle: (*server).UpdateCertificateIssuer},
	{method: "DELETE", pattern: "certificates/issuers/{name}", name: "DeleteCertificateIssuer", handle: (*server).DeleteCertificateIssuer},
	{method: "POST", pattern: "certificates/restore", name: "RestoreCertificate", handle: (*server).RestoreCertificate},
	{method: "POST", pattern: "certificates/{name}/create", name: "CreateCertificate", handle: (*server).CreateCertificate},
	{method: "POST", pattern: "certificates/{name}/import", name: "ImportCertificate", handle: (*server).ImportCertificate},
	{method: "POST", pattern: "certificates/{name}/backup", name: "BackupCertificate", handle: (*server).BackupCertificate},
	{method: "GET", pattern: "certificates/{name}/versions", name: "GetCertificateVersions", handle: (*server).GetCertificateVersions},
	{method: "GET", pattern: "certificates/{name}/policy", name: "GetCertificatePolicy", handle: (*server).GetCertificatePolicy},
	{method: "PATCH", pattern: "certificates/{name}/policy", name: "UpdateCertificatePolicy", handle: (*server).UpdateCertificatePolicy},
	{method: "GET", pattern: "certificates/{name}/pending", name: "GetCertificateOperation", handle: (*server).GetCertificateOperation},
	{method: "PATCH", pattern: "certificates/{name}/pending", name: "UpdateCertificateOperation", handle: (*server).UpdateCertificateOperation},
	{method: "DELETE", pattern: "certificates/{name}/pending", name: "DeleteCertificateOperation", handle: (*server).DeleteCertificateOperation},
	{method: "POST", pattern: "certificates/{name}/pending/merge", name: "MergeCertificate", handle: (*server).MergeCertificate},
	{method: "GET", pattern: "certificates/{name}", name: "GetCertificate", handle: (*server).GetCertificate},
	{method: "DELETE", pattern: "certificates/{name}", name: "DeleteCertificate", handle: (*server).DeleteCertificate},
	{method: "PATCH", pattern: "certificates/{name}", name: "UpdateCertificate", handle: (*server).UpdateCertificate},
	{method: "GET", pattern: "certificates/{name}/{version}", name: "GetCertificate", handle: (*server).GetCertificate},
	{method: "PATCH", pattern: "certificates/{name}/{version}", name: "UpdateCertificate", handle: (*server).UpdateCertificate},
	{method: "GET", pattern: "deletedcertificates", name: "GetDeletedCertificates", handle: (*server).GetDeletedCertificates},
	{method: "GET", pattern: "deletedcertificates/{name}", name: "GetDeletedCertificate", handle: (*server).GetDeletedCertificate},
	{method: "DELETE", pattern: "deletedcertificates/{name}", name: "PurgeDeletedCertificate", handle: (*server).PurgeDeletedCertificate},
	{method: "POST", pattern: "deletedcertificates/{name}/recover", name: "RecoverDeletedCertificate", handle: (*server).RecoverDeletedCertificate},
}

// splitPath splits an escaped path into unescaped, non-empty segments.
func splitPath(escaped string) ([]string, bool) {
	var out []string
	for _, seg := range strings.Split(escaped, "/") {
		if seg == "" {
			continue
		}
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, false
		}
		out = append(out, u)
	}
	return out, true
}

// match finds the route for method and path. A path that matches some route
// with another method answers 405; no match answers 404.
func match(method, escapedPath string) (route, request, error) {
	segs, ok := splitPath(escapedPath)
	if !ok {
		return route{}, request{}, badRequest("The request URI is invalid.")
	}
	pathMatched := false
	for _, rt := range routes {
		req, ok := matchPattern(rt, segs)
		if !ok {
			continue
		}
		if rt.method != method {
			pathMatched = true
			continue
		}
		return rt, req, nil
	}
	if pathMatched {
		return route{}, request{}, &keyvault.Error{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
			Message: "The requested resource does not support http method '" + method + "'."}
	}
	if feature := unsupported(segs); feature != "" {
		return route{}, request{}, &keyvault.Error{Status: http.StatusNotImplemented, Code: "FeatureNotSupportedByEmulator",
			Message: "azemu does not support " + feature + " yet (" + method + " /" + strings.Join(segs, "/") + "); see \"Not yet\" in azemu's README."}
	}
	return route{}, request{}, &keyvault.Error{Status: http.StatusNotFound, Code: "NotFound", Message: "The requested URI does not represent any resource on the server."}
}

// unsupported names the Key Vault feature a path belongs to when it is a
// path of the Key Vault REST API that azemu does not serve (yet), so a
// client learns that instead of a bare 404. Paths no Key Vault serves (too
// many segments) stay 404.
// Reference: https://learn.microsoft.com/rest/api/keyvault/keyvault/storage
func unsupported(segs []string) string {
	if len(segs) == 0 {
		return ""
	}
	switch strings.ToLower(segs[0]) {
	case "storage", "deletedstorage":
		if len(segs) <= 5 {
			return "Key Vault managed storage accounts"
		}
	}
	return ""
}

func matchPattern(rt route, segs []string) (request, bool) {
	pat := strings.Split(rt.pattern, "/")
	if len(pat) != len(segs) {
		return request{}, false
	}
	var req request
	for i, p := range pat {
		s := segs[i]
		switch p {
		case "{name}":
			req.name = s
		case "{version}":
			req.version = s
		case "{op}":
			op := strings.ToLower(s)
			found := false
			for _, o := range rt.ops {
				found = found || o == op
			}
			if !found {
				return request{}, false
			}
			req.op = op
		default:
			if !strings.EqualFold(p, s) {
				return request{}, false
			}
		}
	}
	return req, true
}
