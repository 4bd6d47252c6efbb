package keyvault

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/azemu/azemu/internal/authn"
)

// Caller is who performs an operation: the verified token's caller for HTTP
// requests, or the managed identity of a storage account for the CMK key
// provider. Both go through the same authorisation, which reads ObjectID,
// TenantID and AppID. It is the one caller type every service shares.
type Caller = authn.Caller

// Default identifiers of the development setup: the vault that exists on
// first start and the development principal that owns it (README.md).
const (
	DevVaultName = "devvault"
	DevTenantID  = "00000000-0000-4000-8000-000000000000"
	DevObjectID  = "00000000-0000-4000-8000-000000000002"
	DevClientID  = "00000000-0000-4000-8000-000000000001"
)

// Key permissions of an access policy (permissions.keys), as ARM spells them.
const (
	PermAll               = "all"
	PermEncrypt           = "encrypt"
	PermDecrypt           = "decrypt"
	PermWrapKey           = "wrapKey"
	PermUnwrapKey         = "unwrapKey"
	PermSign              = "sign"
	PermVerify            = "verify"
	PermGet               = "get"
	PermList              = "list"
	PermCreate            = "create"
	PermUpdate            = "update"
	PermImport            = "import"
	PermDelete            = "delete"
	PermBackup            = "backup"
	PermRestore           = "restore"
	PermRecover           = "recover"
	PermPurge             = "purge"
	PermRelease           = "release"
	PermRotate            = "rotate"
	PermGetRotationPolicy = "getrotationpolicy"
	PermSetRotationPolicy = "setrotationpolicy"
)

// AllKeyPermissions lists every key permission except "all".
var allKeyPermissions = []string{PermEncrypt, PermDecrypt, PermWrapKey, PermUnwrapKey, PermSign, PermVerify,
	PermGet, PermList, PermCreate, PermUpdate, PermImport, PermDelete, PermBackup, PermRestore, PermRecover,
	PermPurge, PermRelease, PermRotate, PermGetRotationPolicy, PermSetRotationPolicy}

// AllKeyPermissions returns every key permission an access policy can grant
// (without "all"), e.g. for the development principal's policy.
func AllKeyPermissions() []string { return append([]string(nil), allKeyPermissions...) }

// AccessPolicy is one entry of a vault's access policies (ARM
// AccessPolicyEntry: keys, secrets and certificates permissions).
// ApplicationID, when set, makes it a compound identity that matches only
// tokens of that application.
type AccessPolicy struct {
	TenantID      string   `json:"tenantId"`
	ObjectID      string   `json:"objectId"`
	ApplicationID string   `json:"applicationId,omitempty"`
	Keys          []string `json:"keys"`
	Secrets       []string `json:"secrets,omitempty"`
	Certificates  []string `json:"certificates,omitempty"`
}

// VaultSpec is what creates or updates a vault. Zero values mean Azure's
// defaults: soft delete on, 90 days retention, SKU premium (so HSM key types
// work), location "local".
type VaultSpec struct {
	Name                    string            `json:"name"`
	TenantID                string            `json:"tenantId"`
	Location                string            `json:"location,omitempty"`
	SKU                     string            `json:"sku,omitempty"` // "standard" | "premium"
	EnableSoftDelete        *bool             `json:"enableSoftDelete,omitempty"`
	SoftDeleteRetentionDays int               `json:"softDeleteRetentionInDays,omitempty"`
	EnablePurgeProtection   bool              `json:"enablePurgeProtection,omitempty"`
	EnableRBACAuthorization bool              `json:"enableRbacAuthorization,omitempty"`
	AccessPolicies          []AccessPolicy    `json:"accessPolicies,omitempty"`
	Tags                    map[string]string `json:"tags,omitempty"`
}

// Vault is a vault's current state.
type Vault struct {
	Name                    string            `json:"name"`
	TenantID                string            `json:"tenantId"`
	Location                string            `json:"location"`
	SKU                     string            `json:"sku"`
	EnableSoftDelete        bool              `json:"enableSoftDelete"`
	SoftDeleteRetentionDays int               `json:"softDeleteRetentionInDays"`
	EnablePurgeProtection   bool              `json:"enablePurgeProtection"`
	EnableRBACAuthorization bool              `json:"enableRbacAuthorization"`
	AccessPolicies          []AccessPolicy    `json:"accessPolicies"`
	RoleAssignments         []RoleAssignment  `json:"roleAssignments,omitempty"`
	Tags                    map[string]string `json:"tags,omitempty"`
	Created                 time.Time         `json:"created"`
	Updated                 time.Time         `json:"updated"`
	// Deleted and ScheduledPurge are set while the vault is soft-deleted.
	Deleted        *time.Time `json:"deleted,omitempty"`
	ScheduledPurge *time.Time `json:"scheduledPurge,omitempty"`
}

// RecoveryLevel derives Key Vault's DeletionRecoveryLevel from the vault's
// soft-delete settings, per the enum descriptions of DeletionRecoveryLevel in
// the Key Vault REST spec (keys.json) and "Azure Key Vault soft-delete
// overview" (https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview):
// "+Purgeable" unless purge protection is on, "Customized" when the
// retention is shorter than 90 days, plain "Purgeable" without soft delete.
func (v *Vault) RecoveryLevel() string {
	if !v.EnableSoftDelete {
		return "Purgeable"
	}
	lvl := "Recoverable"
	if v.SoftDeleteRetentionDays < 90 {
		lvl = "CustomizedRecoverable"
	}
	if !v.EnablePurgeProtection {
		lvl += "+Purgeable"
	}
	return lvl
}

// RecoverableDays is the retention in days, 0 without soft delete.
func (v *Vault) RecoverableDays() int {
	if !v.EnableSoftDelete {
		return 0
	}
	return v.SoftDeleteRetentionDays
}

// Base64URL is bytes that travel as unpadded base64url, as JWK fields and key
// operation values do. Decoding also accepts padding and standard base64, as
// Key Vault does.
type Base64URL []byte

// MarshalJSON encodes b as unpadded base64url.
func (b Base64URL) MarshalJSON() ([]byte, error) {
	return json.Marshal(base64.RawURLEncoding.EncodeToString(b))
}

// UnmarshalJSON decodes base64url with or without padding (and standard base64).
func (b *Base64URL) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	d, err := DecodeBase64URL(s)
	if err != nil {
		return err
	}
	*b = d
	return nil
}

// DecodeBase64URL decodes base64url or standard base64, padded or not.
func DecodeBase64URL(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	d, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid base64url value")
	}
	return d, nil
}

// JSONWebKey is Key Vault's JsonWebKey. Responses carry public parts only.
type JSONWebKey struct {
	KID    string    `json:"kid,omitempty"`
	Kty    string    `json:"kty,omitempty"`
	KeyOps []string  `json:"key_ops,omitempty"`
	N      Base64URL `json:"n,omitempty"`
	E      Base64URL `json:"e,omitempty"`
	D      Base64URL `json:"d,omitempty"`
	DP     Base64URL `json:"dp,omitempty"`
	DQ     Base64URL `json:"dq,omitempty"`
	QI     Base64URL `json:"qi,omitempty"`
	P      Base64URL `json:"p,omitempty"`
	Q      Base64URL `json:"q,omitempty"`
	K      Base64URL `json:"k,omitempty"`
	KeyHSM Base64URL `json:"key_hsm,omitempty"`
	Crv    string    `json:"crv,omitempty"`
	X      Base64URL `json:"x,omitempty"`
	Y      Base64URL `json:"y,omitempty"`
}

// KeyAttributes are a key version's attributes. Times are the emulator clock.
type KeyAttributes struct {
	Enabled         bool
	NotBefore       *time.Time
	Expires         *time.Time
	Created         time.Time
	Updated         time.Time
	RecoveryLevel   string
	RecoverableDays int
	Exportable      bool
	// HSMPlatform is "2" for HSM-protected keys (RSA-HSM, EC-HSM), as Key
	// Vault reports today's HSM platform; "" for software keys, whose
	// responses carry no hsmPlatform.
	HSMPlatform string
}

// KeyBundle is one key version as the service reports it. KID is left empty:
// the protocol layer builds it from the URL the request came in on.
type KeyBundle struct {
	Vault      string
	Name       string
	Version    string
	Key        JSONWebKey // public parts; Key.KID empty
	Attributes KeyAttributes
	Tags       map[string]string
	// ReleasePolicy is kept as given (raw JSON), nil when none.
	ReleasePolicy json.RawMessage
	// Managed is true for the key of a certificate.
	Managed bool
}

// DeletedKeyBundle is a soft-deleted key's latest version plus deletion data.
type DeletedKeyBundle struct {
	KeyBundle
	DeletedDate        time.Time
	ScheduledPurgeDate time.Time
	// Recoverable is false for a vault without soft delete: the key is gone.
	Recoverable bool
}

// KeyItem is one entry of a key listing (no key material).
type KeyItem struct {
	Name       string
	Version    string // "" in the list of keys (base kid), set in the list of versions
	Kty        string
	Attributes KeyAttributes
	Tags       map[string]string
}

// DeletedKeyItem is one entry of the list of deleted keys.
type DeletedKeyItem struct {
	KeyItem
	DeletedDate        time.Time
	ScheduledPurgeDate time.Time
}

// Page is one page of a listing. Next is the opaque continuation token ("" at
// the end); kvapi carries it in $skiptoken.
type Page[T any] struct {
	Items []T
	Next  string
}

// ListOptions select a page: MaxResults 1..25 (0 means 25), Token from the
// previous page's Next.
type ListOptions struct {
	MaxResults int
	Token      string
}

// CreateKeyParams are KeyCreateParameters.
type CreateKeyParams struct {
	Kty            string
	KeySize        int
	PublicExponent int
	Curve          string
	KeyOps         []string
	Attributes     AttributesUpdate
	Tags           map[string]string
	ReleasePolicy  json.RawMessage
}

// ImportKeyParams are KeyImportParameters.
type ImportKeyParams struct {
	Key           JSONWebKey
	HSM           bool
	Attributes    AttributesUpdate
	Tags          map[string]string
	ReleasePolicy json.RawMessage
}

// AttributesUpdate carries the attributes a client may set; nil = unchanged
// (or the default on create). NotBefore/Expires set to the zero time clear them.
type AttributesUpdate struct {
	Enabled    *bool
	NotBefore  *time.Time
	Expires    *time.Time
	Exportable *bool
}

// UpdateKeyParams are KeyUpdateParameters; nil fields are left unchanged.
type UpdateKeyParams struct {
	KeyOps        []string // nil = unchanged
	Attributes    AttributesUpdate
	Tags          map[string]string // nil = unchanged
	ReleasePolicy json.RawMessage
}

// KeyOperationParams are KeyOperationsParameters (encrypt/decrypt/wrap/unwrap).
type KeyOperationParams struct {
	Algorithm    string
	Value        []byte
	IV, AAD, Tag []byte
}

// KeyOperationResult is the outcome of encrypt/decrypt/wrap/unwrap/sign.
type KeyOperationResult struct {
	Vault, Name, Version string
	Value                []byte
}

// RotationPolicy is a key's rotation policy.
type RotationPolicy struct {
	LifetimeActions []LifetimeAction
	// ExpiryTime is an ISO-8601 duration ("P90D"); "" = none.
	ExpiryTime string
	Created    *time.Time
	Updated    *time.Time
}

// LifetimeAction is one trigger/action pair.
type LifetimeAction struct {
	TimeAfterCreate  string // ISO-8601 duration or ""
	TimeBeforeExpiry string // ISO-8601 duration or ""
	Action           string // "Rotate" | "Notify"
}
