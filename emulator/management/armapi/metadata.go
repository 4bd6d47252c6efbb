package armapi

import (
	"net"
	"net/http"
	"strings"
)

// IsMetadataPath reports whether path is ARM's cloud metadata endpoint,
// /metadata/endpoints. Clients build it by appending
// "/metadata/endpoints?api-version=..." to an ARM URL that may end in a
// slash, so the path may start with "//".
func IsMetadataPath(path string) bool {
	return strings.EqualFold(strings.TrimLeft(path, "/"), "metadata/endpoints")
}

// managementAudience is the audience the Azure CLI asks tokens for: the
// first of the metadata's authentication.audiences.
const managementAudience = "https://management.core.windows.net/"

// CloudEndpoints are the endpoints of the cloud azemu is, as seen through
// one base URL (https://localhost:8443): what ARM's metadata endpoint
// answers and what "az cloud register" needs.
type CloudEndpoints struct {
	ResourceManager string // https://localhost:8443/
	Login           string // https://localhost:8443/adfs: an ADFS-style authority
	Graph           string // https://localhost:8443/ (Microsoft Graph and the Azure AD Graph resource)
	StorageSuffix   string // core.localhost:8443: https://<account>.blob.core.localhost:8443
	KeyVaultSuffix  string // vault.localhost:8443: https://<vault>.vault.localhost:8443
}

// Cloud derives the cloud's endpoints from the HTTPS base URL. The login
// endpoint ends in /adfs because MSAL (and so the Azure CLI) asks the public
// cloud whether any other authority host is known before it uses it; an
// ADFS authority is trusted as given. Suffixes use "localhost", which
// resolves to the loopback address with any subdomain; the storage suffix is
// core.localhost because the Python storage SDK finds the account name in a
// host only when it has ".blob.core." (or ".file.core.") in it.
func Cloud(base string) CloudEndpoints {
	base = strings.TrimRight(base, "/")
	hostport := base[strings.Index(base, "://")+3:]
	suffixHost := "localhost"
	if _, port, err := net.SplitHostPort(hostport); err == nil && port != "" {
		suffixHost += ":" + port
	}
	return CloudEndpoints{
		ResourceManager: base + "/",
		Login:           base + "/adfs",
		Graph:           base + "/",
		StorageSuffix:   "core." + suffixHost,
		KeyVaultSuffix:  "vault." + suffixHost,
	}
}

// metadata serves GET /metadata/endpoints, without authentication, as ARM
// does. api-version 2015-01-01 (what msrestazure and the Azure CLI's
// "az cloud register --endpoint-resource-manager" ask for) answers the one
// cloud's endpoints; later versions (2019-05-01, 2022-09-01) answer the list
// of clouds, here one named "azemu".
func (s *server) metadata(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return errMethod(r)
	}
	v := r.URL.Query().Get("api-version")
	if v == "" {
		return errMissingAPIVersion()
	}
	c := Cloud(baseURL(r))
	auth := map[string]any{
		"loginEndpoint":    c.Login,
		"audiences":        []string{managementAudience, "https://management.azure.com/"},
		"tenant":           "adfs",
		"identityProvider": "ADFS",
	}
	if v == "2015-01-01" {
		writeJSON(w, r, http.StatusOK, map[string]any{
			"galleryEndpoint": c.ResourceManager,
			"graphEndpoint":   c.Graph,
			"portalEndpoint":  c.ResourceManager,
			"authentication":  auth,
			"suffixes":        map[string]any{"storage": c.StorageSuffix, "keyVaultDns": c.KeyVaultSuffix},
		})
		return nil
	}
	writeJSON(w, r, http.StatusOK, []any{map[string]any{
		"name":                     "azemu",
		"resourceManager":          c.ResourceManager,
		"gallery":                  c.ResourceManager,
		"graph":                    c.Graph,
		"graphAudience":            c.Graph,
		"microsoftGraphResourceId": c.Graph,
		"portal":                   c.ResourceManager,
		"authentication":           auth,
		"suffixes":                 map[string]any{"storage": c.StorageSuffix, "keyVaultDns": c.KeyVaultSuffix},
	}})
	return nil
}
