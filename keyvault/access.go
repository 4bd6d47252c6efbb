package keyvault

import (
	"strings"
)

// RoleAssignment grants a built-in Key Vault role to a principal on a vault
// with RBAC authorisation, for the whole vault (Scope "") or for one key
// (Scope "keys/<name>").
type RoleAssignment struct {
	ID          string `json:"id"`
	PrincipalID string `json:"principalId"`
	// RoleDefinition is the role's name ("Key Vault Crypto User") or its
	// built-in GUID; the service stores the name.
	RoleDefinition string `json:"roleDefinition"`
	Scope          string `json:"scope,omitempty"`
}

// Built-in role names.
const (
	RoleKeyVaultAdministrator               = "Key Vault Administrator"
	RoleKeyVaultCryptoOfficer               = "Key Vault Crypto Officer"
	RoleKeyVaultCryptoUser                  = "Key Vault Crypto User"
	RoleKeyVaultCryptoServiceEncryptionUser = "Key Vault Crypto Service Encryption User"
	RoleKeyVaultReader                      = "Key Vault Reader"
	RoleKeyVaultSecretsOfficer              = "Key Vault Secrets Officer"
	RoleKeyVaultSecretsUser                 = "Key Vault Secrets User"
	RoleKeyVaultCertificatesOfficer         = "Key Vault Certificates Officer"
	RoleKeyVaultCertificateUser             = "Key Vault Certificate User"
)

// roleDef is a built-in role: its GUID and data actions (patterns with *).
type roleDef struct {
	name, id    string
	dataActions []string
}

var builtinRoles = []roleDef{
	{RoleKeyVaultAdministrator, "00482a5a-887f-4fb3-b363-3b7fe8e74483", []string{"Microsoft.KeyVault/vaults/*"}},
	{RoleKeyVaultCryptoOfficer, "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", []string{
		"Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/deletedKeys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"}},
	{RoleKeyVaultCryptoUser, "12338af0-0e69-4776-bea7-57ae8d297424", []string{
		"Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/update/action",
		"Microsoft.KeyVault/vaults/keys/backup/action", "Microsoft.KeyVault/vaults/keys/encrypt/action",
		"Microsoft.KeyVault/vaults/keys/decrypt/action", "Microsoft.KeyVault/vaults/keys/wrap/action",
		"Microsoft.KeyVault/vaults/keys/unwrap/action", "Microsoft.KeyVault/vaults/keys/sign/action",
		"Microsoft.KeyVault/vaults/keys/verify/action", "Microsoft.KeyVault/vaults/keyrotationpolicies/read"}},
	{RoleKeyVaultCryptoServiceEncryptionUser, "e147488a-f6f5-4113-8e2d-b22465e65bf6", []string{
		"Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action",
		"Microsoft.KeyVault/vaults/keys/unwrap/action"}},
	{RoleKeyVaultReader, "21090545-7ca7-4776-b22c-e363652d74d2", []string{
		"Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/keys/read",
		"Microsoft.KeyVault/vaults/secrets/readMetadata/action"}},
	{RoleKeyVaultSecretsOfficer, "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", []string{
		"Microsoft.KeyVault/vaults/secrets/*"}},
	{RoleKeyVaultSecretsUser, "4633458b-17de-408a-b874-0445c86b69e6", []string{
		"Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"}},
	{RoleKeyVaultCertificatesOfficer, "a4417e6f-fecd-4de8-b567-7b0420556985", []string{
		"Microsoft.KeyVault/vaults/certificatecas/*", "Microsoft.KeyVault/vaults/certificates/*",
		"Microsoft.KeyVault/vaults/certificatecontacts/write"}},
	{RoleKeyVaultCertificateUser, "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", []string{
		"Microsoft.KeyVault/vaults/certificates/read", "Microsoft.KeyVault/vaults/secrets/getSecret/action",
		"Microsoft.KeyVault/vaults/secrets/readMetadata/action", "Microsoft.KeyVault/vaults/keys/read"}},
}

// lookupRole resolves a role by name (case-insensitive), GUID or a role
// definition id ending in the GUID.
func lookupRole(ref string) (roleDef, bool) {
	for _, r := range builtinRoles {
		if strings.EqualFold(ref, r.name) || strings.EqualFold(ref, r.id) ||
			strings.HasSuffix(strings.ToLower(ref), "/"+r.id) {
			return r, true
		}
	}
	return roleDef{}, false
}

// dataActions maps each key permission to its RBAC data action.
var dataActions = map[string]string{
	PermGet:               "Microsoft.KeyVault/vaults/keys/read",
	PermList:              "Microsoft.KeyVault/vaults/keys/read",
	PermCreate:            "Microsoft.KeyVault/vaults/keys/create/action",
	PermUpdate:            "Microsoft.KeyVault/vaults/keys/update/action",
	PermImport:            "Microsoft.KeyVault/vaults/keys/import/action",
	PermDelete:            "Microsoft.KeyVault/vaults/keys/delete",
	PermBackup:            "Microsoft.KeyVault/vaults/keys/backup/action",
	PermRestore:           "Microsoft.KeyVault/vaults/keys/restore/action",
	PermRecover:           "Microsoft.KeyVault/vaults/deletedKeys/recover/action",
	PermPurge:             "Microsoft.KeyVault/vaults/deletedKeys/delete",
	PermEncrypt:           "Microsoft.KeyVault/vaults/keys/encrypt/action",
	PermDecrypt:           "Microsoft.KeyVault/vaults/keys/decrypt/action",
	PermWrapKey:           "Microsoft.KeyVault/vaults/keys/wrap/action",
	PermUnwrapKey:         "Microsoft.KeyVault/vaults/keys/unwrap/action",
	PermSign:              "Microsoft.KeyVault/vaults/keys/sign/action",
	PermVerify:            "Microsoft.KeyVault/vaults/keys/verify/action",
	PermRelease:           "Microsoft.KeyVault/vaults/keys/release/action",
	PermRotate:            "Microsoft.KeyVault/vaults/keys/rotate/action",
	PermGetRotationPolicy: "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
	PermSetRotationPolicy: "Microsoft.KeyVault/vaults/keyrotationpolicies/write",
}

// deletedKeyReadAction is what get/list of deleted keys need under RBAC.
const deletedKeyReadAction = "Microsoft.KeyVault/vaults/deletedKeys/read"

func actionMatches(pattern, action string) bool {
	if !strings.Contains(pattern, "*") {
		return strings.EqualFold(pattern, action)
	}
	// Patterns used here have one '*' standing for one or more path parts.
	i := strings.Index(pattern, "*")
	pre, suf := strings.ToLower(pattern[:i]), strings.ToLower(pattern[i+1:])
	a := strings.ToLower(action)
	return len(a) >= len(pre)+len(suf) && strings.HasPrefix(a, pre) && strings.HasSuffix(a, suf)
}

// normalizePermission spells a permission as the table does, or "".
func normalizePermission(p string) string {
	if strings.EqualFold(p, PermAll) {
		return PermAll
	}
	for _, q := range allKeyPermissions {
		if strings.EqualFold(p, q) {
			return q
		}
	}
	return ""
}

// authorize checks that c may perform perm (a key permission) on key (""
// for vault-wide operations). deleted selects the deletedKeys data action for
// get/list under RBAC. The caller holds s.mu.
func (s *Service) authorize(v *vaultState, c Caller, perm, key string, deleted bool) error {
	action := dataActions[perm]
	if deleted && (perm == PermGet || perm == PermList) {
		action = deletedKeyReadAction
	}
	if v.v.EnableRBACAuthorization {
		for _, ra := range v.v.RoleAssignments {
			if !strings.EqualFold(ra.PrincipalID, c.ObjectID) {
				continue
			}
			if ra.Scope != "" && !strings.EqualFold(ra.Scope, "keys/"+key) {
				continue
			}
			role, ok := lookupRole(ra.RoleDefinition)
			if !ok {
				continue
			}
			for _, p := range role.dataActions {
				if actionMatches(p, action) {
					return nil
				}
			}
		}
		res := "/vaults/" + v.v.Name
		if key != "" {
			res += "/keys/" + key
		}
		return ErrForbiddenByRbac.withMessage("Caller is not authorized to perform action on resource.\r\n"+
			"If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"+
			"Caller: appid=%s;oid=%s;iss=https://sts.windows.net/%s/\r\n"+
			"Action: '%s'\r\nResource: '%s'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\n"+
			"DecisionReason: null \r\nVault: %s;location=%s\r\n",
			c.AppID, c.ObjectID, c.TenantID, action, strings.ToLower(res), v.v.Name, v.v.Location)
	}
	for _, ap := range v.v.AccessPolicies {
		if !strings.EqualFold(ap.ObjectID, c.ObjectID) || !strings.EqualFold(ap.TenantID, c.TenantID) {
			continue
		}
		if ap.ApplicationID != "" && !strings.EqualFold(ap.ApplicationID, c.AppID) {
			continue
		}
		for _, p := range ap.Keys {
			if strings.EqualFold(p, PermAll) || strings.EqualFold(p, perm) {
				return nil
			}
		}
	}
	return ErrAccessDenied.withMessage("The user, group or application 'appid=%s;oid=%s;iss=https://sts.windows.net/%s/' "+
		"does not have keys %s permission on key vault '%s;location=%s'. "+
		"For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
		c.AppID, c.ObjectID, c.TenantID, perm, v.v.Name, v.v.Location)
}

func roleName(ref string) (string, error) {
	r, ok := lookupRole(ref)
	if !ok {
		return "", badParam("Unknown role definition '%s'.", ref)
	}
	return r.name, nil
}
