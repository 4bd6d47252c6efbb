package keyvault

import (
	"strings"
)

// Secret and certificate permissions of an access policy
// (permissions.secrets, permissions.certificates), as ARM spells them
// (https://learn.microsoft.com/azure/key-vault/general/rbac-access-policy).
// get, list, delete, backup, restore, recover, purge, create, import and
// update are shared with keys.
const (
	PermSet            = "set"
	PermManageContacts = "managecontacts"
	PermGetIssuers     = "getissuers"
	PermListIssuers    = "listissuers"
	PermSetIssuers     = "setissuers"
	PermDeleteIssuers  = "deleteissuers"
	PermManageIssuers  = "manageissuers"
)

var allSecretPermissions = []string{PermGet, PermList, PermSet, PermDelete, PermBackup, PermRestore, PermRecover, PermPurge}

var allCertificatePermissions = []string{PermGet, PermList, PermDelete, PermCreate, PermImport, PermUpdate,
	PermManageContacts, PermGetIssuers, PermListIssuers, PermSetIssuers, PermDeleteIssuers, PermManageIssuers,
	PermRecover, PermPurge, PermBackup, PermRestore}

// AllSecretPermissions returns every secret permission an access policy can
// grant (without "all").
func AllSecretPermissions() []string { return append([]string(nil), allSecretPermissions...) }

// AllCertificatePermissions returns every certificate permission an access
// policy can grant (without "all").
func AllCertificatePermissions() []string { return append([]string(nil), allCertificatePermissions...) }

// Collections an access check is about: the name of the permissions list of
// an access policy and the RBAC resource type.
const (
	collSecrets      = "secrets"
	collCertificates = "certificates"
)

// secretActions maps each secret operation's permission to its RBAC data
// action (https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault).
// Reading a value needs getSecret; listing and reading deleted secrets only
// readMetadata; Update Secret is authorised by the set permission of an
// access policy but by the update data action under RBAC.
var secretActions = map[string]string{
	PermGet:     "Microsoft.KeyVault/vaults/secrets/getSecret/action",
	PermList:    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
	PermSet:     "Microsoft.KeyVault/vaults/secrets/setSecret/action",
	PermDelete:  "Microsoft.KeyVault/vaults/secrets/delete",
	PermBackup:  "Microsoft.KeyVault/vaults/secrets/backup/action",
	PermRestore: "Microsoft.KeyVault/vaults/secrets/restore/action",
	PermRecover: "Microsoft.KeyVault/vaults/secrets/recover/action",
	PermPurge:   "Microsoft.KeyVault/vaults/secrets/purge/action",
}

const (
	secretUpdateAction       = "Microsoft.KeyVault/vaults/secrets/update/action"
	secretReadMetadataAction = "Microsoft.KeyVault/vaults/secrets/readMetadata/action"
)

// certificateActions maps certificate permissions to RBAC data actions.
var certificateActions = map[string]string{
	PermGet:            "Microsoft.KeyVault/vaults/certificates/read",
	PermList:           "Microsoft.KeyVault/vaults/certificates/read",
	PermCreate:         "Microsoft.KeyVault/vaults/certificates/create/action",
	PermImport:         "Microsoft.KeyVault/vaults/certificates/import/action",
	PermUpdate:         "Microsoft.KeyVault/vaults/certificates/update/action",
	PermDelete:         "Microsoft.KeyVault/vaults/certificates/delete",
	PermBackup:         "Microsoft.KeyVault/vaults/certificates/backup/action",
	PermRestore:        "Microsoft.KeyVault/vaults/certificates/restore/action",
	PermRecover:        "Microsoft.KeyVault/vaults/certificates/recover/action",
	PermPurge:          "Microsoft.KeyVault/vaults/certificates/purge/action",
	PermManageContacts: "Microsoft.KeyVault/vaults/certificatecontacts/write",
	PermGetIssuers:     "Microsoft.KeyVault/vaults/certificatecas/read",
	PermListIssuers:    "Microsoft.KeyVault/vaults/certificatecas/read",
	PermSetIssuers:     "Microsoft.KeyVault/vaults/certificatecas/write",
	PermManageIssuers:  "Microsoft.KeyVault/vaults/certificatecas/write",
	PermDeleteIssuers:  "Microsoft.KeyVault/vaults/certificatecas/delete",
}

// check is one access check on a secret or certificate operation.
type check struct {
	coll   string // collSecrets or collCertificates
	perm   string // access policy permission
	action string // RBAC data action; "" = the table's
	name   string // object name, "" for collection-wide operations
}

// normalizeIn spells p as list does, or "".
func normalizeIn(p string, list []string) string {
	if strings.EqualFold(p, PermAll) {
		return PermAll
	}
	for _, q := range list {
		if strings.EqualFold(p, q) {
			return q
		}
	}
	return ""
}

// allow authorises c for ch on v: by role assignments when the vault uses
// RBAC (a role scoped to "<collection>/<name>" applies to that object only),
// else by the access policy's secrets or certificates permissions, with Key
// Vault's 403 Forbidden answers (inner ForbiddenByRbac / AccessDenied).
// Caller holds s.mu.
func (s *Service) allow(v *vaultState, c Caller, ch check) error {
	action := ch.action
	if action == "" {
		if ch.coll == collSecrets {
			action = secretActions[ch.perm]
		} else {
			action = certificateActions[ch.perm]
		}
	}
	if v.v.EnableRBACAuthorization {
		if rbacAllows(v, c, action, ch.coll+"/"+ch.name) {
			return nil
		}
		res := "/vaults/" + v.v.Name
		if ch.name != "" {
			res += "/" + ch.coll + "/" + ch.name
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
		perms := ap.Secrets
		if ch.coll == collCertificates {
			perms = ap.Certificates
		}
		for _, p := range perms {
			if strings.EqualFold(p, PermAll) || strings.EqualFold(p, ch.perm) {
				return nil
			}
		}
	}
	return ErrAccessDenied.withMessage("The user, group or application 'appid=%s;oid=%s;iss=https://sts.windows.net/%s/' "+
		"does not have %s %s permission on key vault '%s;location=%s'. "+
		"For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
		c.AppID, c.ObjectID, c.TenantID, ch.coll, ch.perm, v.v.Name, v.v.Location)
}

// rbacAllows reports whether a role assignment of c, for the whole vault or
// scoped to scope ("secrets/<name>"), grants action. Caller holds s.mu.
func rbacAllows(v *vaultState, c Caller, action, scope string) bool {
	for _, ra := range v.v.RoleAssignments {
		if !strings.EqualFold(ra.PrincipalID, c.ObjectID) {
			continue
		}
		if ra.Scope != "" && !strings.EqualFold(ra.Scope, scope) {
			continue
		}
		role, ok := lookupRole(ra.RoleDefinition)
		if !ok {
			continue
		}
		for _, p := range role.dataActions {
			if actionMatches(p, action) {
				return true
			}
		}
	}
	return false
}

// validScope reports whether a role assignment scope names the vault ("")
// or one key, secret or certificate.
func validScope(scope string) bool {
	if scope == "" {
		return true
	}
	coll, name, ok := strings.Cut(scope, "/")
	if !ok || !ValidKeyName(name) {
		return false
	}
	switch strings.ToLower(coll) {
	case "keys", collSecrets, collCertificates:
		return true
	}
	return false
}
