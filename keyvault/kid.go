package keyvault

import (
	"net"
	"net/url"
	"strings"
)

// KeyRef names a key, or one version of it, in a vault: what every key
// operation addresses, as a key identifier
// ("https://<vault>.vault.azure.net/keys/<name>/<version>") does on the wire.
// An empty Version means the key's current version.
type KeyRef struct {
	Vault   string
	Name    string
	Version string
}

// String is the reference as "<vault>/keys/<name>[/<version>]", for logs and
// error messages.
func (r KeyRef) String() string {
	s := r.Vault + "/keys/" + r.Name
	if r.Version != "" {
		s += "/" + r.Version
	}
	return s
}

// ParseKeyID splits a Key Vault key identifier
// ("https://<vault>.vault.localhost:8443/keys/<name>[/<version>]", also
// *.vault.azure.net) into a KeyRef (Version "" when versionless). A URL on
// localhost, 127.0.0.1 or [::1] names devvault. For the CMK key provider,
// which receives key URLs from ARM.
func ParseKeyID(kid string) (KeyRef, error) {
	bad := badParam("Invalid key identifier '%s'.", kid)
	u, perr := url.Parse(kid)
	if perr != nil || u.Host == "" {
		return KeyRef{}, bad
	}
	vault := VaultFromHost(u.Host)
	if vault == "" {
		return KeyRef{}, bad
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 || !strings.EqualFold(parts[0], "keys") || !ValidKeyName(parts[1]) {
		return KeyRef{}, bad
	}
	ref := KeyRef{Vault: vault, Name: parts[1]}
	if len(parts) == 3 {
		ref.Version = parts[2]
	}
	return ref, nil
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
	if ref, err := ParseKeyID(keyID); err != nil {
		return "", err
	} else if u, perr := url.Parse(keyID); perr == nil {
		return u.Scheme + "://" + u.Host + "/keys/" + ref.Name + "/" + version, nil
	}
	return "", badParam("Invalid key identifier '%s'.", keyID)
}
