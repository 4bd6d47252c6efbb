package keyvault

import (
	"net"
	"net/url"
	"strings"
)

// ParseKeyID splits a Key Vault key identifier
// ("https://<vault>.vault.localhost:8443/keys/<name>[/<version>]", also
// *.vault.azure.net) into vault, key name and version ("" when versionless).
// A URL on localhost, 127.0.0.1 or [::1] names devvault. For the CMK key
// provider, which receives key URLs from ARM.
func ParseKeyID(kid string) (vault, name, version string, err error) {
	bad := badParam("Invalid key identifier '%s'.", kid)
	u, perr := url.Parse(kid)
	if perr != nil || u.Host == "" {
		return "", "", "", bad
	}
	vault = VaultFromHost(u.Host)
	if vault == "" {
		return "", "", "", bad
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 || !strings.EqualFold(parts[0], "keys") || !ValidKeyName(parts[1]) {
		return "", "", "", bad
	}
	name = parts[1]
	if len(parts) == 3 {
		version = parts[2]
	}
	return vault, name, version, nil
}

// VaultFromHost picks the vault a Host header names: "<name>.vault.<domain>"
// (any port) → name; localhost, 127.0.0.1, [::1] → devvault; else "".
func VaultFromHost(host string) string {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.ToLower(strings.Trim(h, "[]"))
	switch h {
	case "localhost", "127.0.0.1", "::1":
		return DevVaultName
	}
	if i := strings.Index(h, ".vault."); i > 0 {
		return h[:i]
	}
	return ""
}

// VersionedKeyID returns keyID (versioned or versionless) pinned to version,
// keeping its scheme and host: what the CMK key provider records as the
// currentVersionedKeyIdentifier after WrapKey reports the version it used.
func VersionedKeyID(keyID, version string) (string, error) {
	if _, name, _, err := ParseKeyID(keyID); err != nil {
		return "", err
	} else if u, perr := url.Parse(keyID); perr == nil {
		return u.Scheme + "://" + u.Host + "/keys/" + name + "/" + version, nil
	}
	return "", badParam("Invalid key identifier '%s'.", keyID)
}
