package console

import (
	"net"
	"net/http"
	"strings"
	"unicode"
)

// operation names the REST operation of r for the log, the way each
// service's reference names its operations: Blob and File REST operation
// names (https://learn.microsoft.com/rest/api/storageservices/blob-service-rest-api),
// Key Vault operation names (https://learn.microsoft.com/rest/api/keyvault/keys),
// and ARM's "<namespace>/<type>/<read|write|delete|action>" for management.
// Unknown shapes fall back to the method and the comp parameter.
func operation(service string, r *http.Request) string {
	switch service {
	case "blob":
		return blobOperation(r)
	case "file":
		return fileOperation(r)
	case "keyvault":
		return vaultOperation(r)
	case "management":
		return armOperation(r)
	case "admin":
		if strings.HasSuffix(r.URL.Path, "/advance") {
			return "AdvanceClock"
		}
		if strings.HasSuffix(r.URL.Path, "/clock") {
			return "GetClock"
		}
		return "Admin"
	}
	switch p := r.URL.Path; {
	case strings.HasSuffix(p, "/oauth2/v2.0/token"), strings.HasSuffix(p, "/oauth2/token"):
		return "Token"
	case p == "/msi/token", strings.HasSuffix(p, "/metadata/identity/oauth2/token"):
		return "ManagedIdentityToken"
	case strings.HasSuffix(p, "openid-configuration"):
		return "OpenIDConfiguration"
	case strings.Contains(p, "/discovery/"):
		return "Keys"
	}
	return r.Method
}

// storageDepth counts the path segments below the account: 0 for the
// service, 1 for a container or share, 2 and more for a blob or file. The
// account is the first segment unless the host names it
// (<account>.blob.localhost).
func storageDepth(r *http.Request) int {
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		if len(segs) > 0 {
			segs = segs[1:]
		}
	}
	return len(segs)
}

// blobOperation names a Blob REST call.
func blobOperation(r *http.Request) string {
	q := r.URL.Query()
	comp, restype := strings.ToLower(q.Get("comp")), strings.ToLower(q.Get("restype"))
	m := r.Method
	switch depth := storageDepth(r); {
	case depth == 0:
		switch {
		case comp == "list":
			return "ListContainers"
		case restype == "account":
			return "GetAccountInformation"
		case comp == "properties" && m == http.MethodPut:
			return "SetBlobServiceProperties"
		case comp == "properties":
			return "GetBlobServiceProperties"
		case comp == "stats":
			return "GetBlobServiceStats"
		case comp == "userdelegationkey":
			return "GetUserDelegationKey"
		}
	case depth == 1 && restype == "container":
		switch comp {
		case "list":
			return "ListBlobs"
		case "metadata", "acl":
			return verb(m, "Set", "Get") + "Container" + title(comp)
		case "lease":
			return "LeaseContainer"
		case "undelete":
			return "RestoreContainer"
		case "":
			switch m {
			case http.MethodPut:
				return "CreateContainer"
			case http.MethodDelete:
				return "DeleteContainer"
			default:
				return "GetContainerProperties"
			}
		}
	case depth >= 2:
		switch comp {
		case "block":
			return "PutBlock"
		case "blocklist":
			return verb(m, "PutBlockList", "GetBlockList")
		case "metadata", "properties", "tags":
			return verb(m, "Set", "Get") + "Blob" + title(comp)
		case "lease":
			return "LeaseBlob"
		case "snapshot":
			return "SnapshotBlob"
		case "page":
			return "PutPage"
		case "pagelist":
			return "GetPageRanges"
		case "appendblock":
			return "AppendBlock"
		case "tier":
			return "SetBlobTier"
		case "undelete":
			return "UndeleteBlob"
		case "":
			switch m {
			case http.MethodPut:
				if r.Header.Get("x-ms-copy-source") != "" {
					return "CopyBlob"
				}
				return "PutBlob"
			case http.MethodDelete:
				return "DeleteBlob"
			case http.MethodHead:
				return "GetBlobProperties"
			case http.MethodGet:
				return "GetBlob"
			}
		}
	}
	return fallback(m, comp)
}

// fileOperation names a File REST call.
func fileOperation(r *http.Request) string {
	q := r.URL.Query()
	comp, restype := strings.ToLower(q.Get("comp")), strings.ToLower(q.Get("restype"))
	m := r.Method
	switch depth := storageDepth(r); {
	case depth == 0:
		switch {
		case comp == "list":
			return "ListShares"
		case comp == "properties":
			return verb(m, "Set", "Get") + "FileServiceProperties"
		}
	case restype == "share":
		switch comp {
		case "metadata", "acl", "properties", "stats":
			return verb(m, "Set", "Get") + "Share" + title(comp)
		case "snapshot":
			return "SnapshotShare"
		case "lease":
			return "LeaseShare"
		case "":
			switch m {
			case http.MethodPut:
				return "CreateShare"
			case http.MethodDelete:
				return "DeleteShare"
			default:
				return "GetShareProperties"
			}
		}
	case restype == "directory":
		switch comp {
		case "list":
			return "ListFilesAndDirectories"
		case "metadata", "properties":
			return verb(m, "Set", "Get") + "Directory" + title(comp)
		case "":
			switch m {
			case http.MethodPut:
				return "CreateDirectory"
			case http.MethodDelete:
				return "DeleteDirectory"
			default:
				return "GetDirectoryProperties"
			}
		}
	case depth >= 2:
		switch comp {
		case "range":
			return "PutRange"
		case "rangelist":
			return "ListRanges"
		case "metadata", "properties":
			return verb(m, "Set", "Get") + "File" + title(comp)
		case "lease":
			return "LeaseFile"
		case "":
			switch m {
			case http.MethodPut:
				if r.Header.Get("x-ms-copy-source") != "" {
					return "CopyFile"
				}
				return "CreateFile"
			case http.MethodDelete:
				return "DeleteFile"
			case http.MethodHead:
				return "GetFileProperties"
			case http.MethodGet:
				return "GetFile"
			}
		}
	}
	return fallback(m, comp)
}

// vaultOperation names a Key Vault REST call (keys, secrets, certificates
// share the shapes: GetKeys, CreateKey, UpdateSecret, RecoverDeletedKey).
func vaultOperation(r *http.Request) string {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	m := r.Method
	kind := strings.ToLower(segs[0])
	deleted := strings.HasPrefix(kind, "deleted")
	obj := title(strings.TrimSuffix(strings.TrimPrefix(kind, "deleted"), "s")) // Key, Secret, Certificate
	if kind == "rng" {
		return "GetRandomBytes"
	}
	if obj == "" {
		return m
	}
	if deleted {
		switch {
		case len(segs) == 1:
			return "GetDeleted" + obj + "s"
		case len(segs) == 3 && strings.EqualFold(segs[2], "recover"):
			return "RecoverDeleted" + obj
		case m == http.MethodDelete:
			return "PurgeDeleted" + obj
		}
		return "GetDeleted" + obj
	}
	if len(segs) == 1 {
		return "Get" + obj + "s"
	}
	last := strings.ToLower(segs[len(segs)-1])
	switch {
	case len(segs) == 2 && m == http.MethodPost && last == "restore":
		return "Restore" + obj
	case len(segs) >= 3 && m == http.MethodPost && last != "create":
		switch last {
		case "wrapkey":
			return "WrapKey"
		case "unwrapkey":
			return "UnwrapKey"
		case "backup", "rotate":
			return title(last) + obj
		}
		return title(last)
	case last == "create":
		return "Create" + obj
	case last == "versions":
		return "Get" + obj + "Versions"
	case last == "rotationpolicy":
		return verb(m, "Update"+obj+"RotationPolicy", "Get"+obj+"RotationPolicy")
	}
	switch m {
	case http.MethodPatch:
		return "Update" + obj
	case http.MethodDelete:
		return "Delete" + obj
	case http.MethodPut:
		if obj == "Secret" {
			return "SetSecret"
		}
		return "Import" + obj
	}
	return "Get" + obj
}

// armOperation names a management call as ARM's activity log does:
// Microsoft.Storage/storageAccounts/write, .../listKeys/action.
func armOperation(r *http.Request) string {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	action := map[string]string{http.MethodGet: "read", http.MethodHead: "read", http.MethodPut: "write",
		http.MethodPatch: "write", http.MethodDelete: "delete", http.MethodPost: "action"}[r.Method]
	last := -1
	for i := range segs {
		if strings.EqualFold(segs[i], "providers") && i+1 < len(segs) {
			last = i
		}
	}
	if last < 0 {
		switch {
		case len(segs) >= 3 && strings.EqualFold(segs[2], "resourceGroups"):
			return "Microsoft.Resources/subscriptions/resourceGroups/" + action
		case len(segs) >= 1 && strings.EqualFold(segs[0], "tenants"):
			return "Microsoft.Resources/tenants/" + action
		}
		return "Microsoft.Resources/subscriptions/" + action
	}
	rest := segs[last+1:]
	parts := []string{rest[0]}
	i := 1
	for ; i < len(rest); i += 2 {
		parts = append(parts, rest[i])
	}
	if (len(rest)-1)%2 == 1 && len(rest) > 2 && r.Method == http.MethodPost {
		// .../storageAccounts/{name}/listKeys: the last type is an action.
		return strings.Join(parts, "/") + "/action"
	}
	return strings.Join(parts, "/") + "/" + action
}

func verb(method, put, get string) string {
	if method == http.MethodPut || method == http.MethodPatch || method == http.MethodPost {
		return put
	}
	return get
}

func title(s string) string {
	if s == "" {
		return ""
	}
	if s == "acl" {
		return "ACL"
	}
	rs := []rune(s)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

func fallback(method, comp string) string {
	if comp == "" {
		return method
	}
	return method + " comp=" + comp
}
