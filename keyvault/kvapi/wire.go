package kvapi

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/azemu/azemu/keyvault"
)

// Wire shapes of the Key Vault REST API (keys.json). Times are unix seconds.

type attributesJSON struct {
	Enabled         *bool  `json:"enabled,omitempty"`
	NotBefore       *int64 `json:"nbf,omitempty"`
	Expires         *int64 `json:"exp,omitempty"`
	Created         *int64 `json:"created,omitempty"`
	Updated         *int64 `json:"updated,omitempty"`
	RecoveryLevel   string `json:"recoveryLevel,omitempty"`
	RecoverableDays *int   `json:"recoverableDays,omitempty"`
	Exportable      *bool  `json:"exportable,omitempty"`
	HSMPlatform     string `json:"hsmPlatform,omitempty"`
}

type keyBundleJSON struct {
	Key           keyvault.JSONWebKey `json:"key"`
	Attributes    attributesJSON      `json:"attributes"`
	Tags          map[string]string   `json:"tags,omitempty"`
	ReleasePolicy json.RawMessage     `json:"release_policy,omitempty"`
	Managed       *bool               `json:"managed,omitempty"`
}

type deletedKeyBundleJSON struct {
	keyBundleJSON
	RecoveryID         string `json:"recoveryId,omitempty"`
	DeletedDate        *int64 `json:"deletedDate,omitempty"`
	ScheduledPurgeDate *int64 `json:"scheduledPurgeDate,omitempty"`
}

type keyItemJSON struct {
	KID        string            `json:"kid"`
	Attributes attributesJSON    `json:"attributes"`
	Tags       map[string]string `json:"tags,omitempty"`
}

type deletedKeyItemJSON struct {
	keyItemJSON
	RecoveryID         string `json:"recoveryId"`
	DeletedDate        int64  `json:"deletedDate"`
	ScheduledPurgeDate int64  `json:"scheduledPurgeDate"`
}

type listJSON[T any] struct {
	Value    []T     `json:"value"`
	NextLink *string `json:"nextLink"`
}

type keyCreateJSON struct {
	Kty            string            `json:"kty"`
	KeySize        *int              `json:"key_size"`
	PublicExponent *int              `json:"public_exponent"`
	KeyOps         []string          `json:"key_ops"`
	Attributes     *attributesJSON   `json:"attributes"`
	Tags           map[string]string `json:"tags"`
	Curve          string            `json:"crv"`
	ReleasePolicy  json.RawMessage   `json:"release_policy"`
}

type keyImportJSON struct {
	Key           *keyvault.JSONWebKey `json:"key"`
	HSM           *bool                `json:"Hsm"`
	Attributes    *attributesJSON      `json:"attributes"`
	Tags          map[string]string    `json:"tags"`
	ReleasePolicy json.RawMessage      `json:"release_policy"`
}

type keyUpdateJSON struct {
	KeyOps        []string          `json:"key_ops"`
	Attributes    *attributesJSON   `json:"attributes"`
	Tags          map[string]string `json:"tags"`
	ReleasePolicy json.RawMessage   `json:"release_policy"`
}

type keyOperationJSON struct {
	Alg   string              `json:"alg"`
	Value *keyvault.Base64URL `json:"value"`
	IV    keyvault.Base64URL  `json:"iv"`
	AAD   keyvault.Base64URL  `json:"aad"`
	Tag   keyvault.Base64URL  `json:"tag"`
}

type keyOperationResultJSON struct {
	KID   string             `json:"kid"`
	Value keyvault.Base64URL `json:"value"`
}

type signJSON struct {
	Alg   string              `json:"alg"`
	Value *keyvault.Base64URL `json:"value"`
}

type verifyJSON struct {
	Alg       string              `json:"alg"`
	Digest    *keyvault.Base64URL `json:"digest"`
	Signature *keyvault.Base64URL `json:"value"`
}

type verifyResultJSON struct {
	Value bool `json:"value"`
}

type valueJSON struct {
	Value *keyvault.Base64URL `json:"value"`
}

type rngJSON struct {
	Count *int `json:"count"`
}

type rotationPolicyJSON struct {
	ID              string               `json:"id,omitempty"`
	LifetimeActions []lifetimeActionJSON `json:"lifetimeActions"`
	Attributes      *policyAttrsJSON     `json:"attributes,omitempty"`
}

type lifetimeActionJSON struct {
	Trigger struct {
		TimeAfterCreate  string `json:"timeAfterCreate,omitempty"`
		TimeBeforeExpiry string `json:"timeBeforeExpiry,omitempty"`
	} `json:"trigger"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

type policyAttrsJSON struct {
	ExpiryTime string `json:"expiryTime,omitempty"`
	Created    *int64 `json:"created,omitempty"`
	Updated    *int64 `json:"updated,omitempty"`
}

func unix(t time.Time) *int64 {
	u := t.Unix()
	return &u
}

func unixp(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	return unix(*t)
}

func fromUnix(u *int64) *time.Time {
	if u == nil {
		return nil
	}
	t := time.Unix(*u, 0).UTC()
	return &t
}

func attrsOut(a keyvault.KeyAttributes) attributesJSON {
	en := a.Enabled
	days := a.RecoverableDays
	out := attributesJSON{Enabled: &en, NotBefore: unixp(a.NotBefore), Expires: unixp(a.Expires),
		Created: unix(a.Created), Updated: unix(a.Updated), RecoveryLevel: a.RecoveryLevel}
	if days > 0 {
		out.RecoverableDays = &days
	}
	// Key Vault sends exportable (even false) and hsmPlatform for
	// HSM-protected keys, and neither for software keys unless exportable.
	if a.Exportable || a.HSMPlatform != "" {
		out.Exportable = &a.Exportable
	}
	out.HSMPlatform = a.HSMPlatform
	return out
}

func attrsIn(a *attributesJSON) keyvault.AttributesUpdate {
	if a == nil {
		return keyvault.AttributesUpdate{}
	}
	u := keyvault.AttributesUpdate{Enabled: a.Enabled, Exportable: a.Exportable}
	u.NotBefore, u.Expires = fromUnix(a.NotBefore), fromUnix(a.Expires)
	return u
}

// releasePolicyJSON is KeyReleasePolicy, decoded only to validate it.
type releasePolicyJSON struct {
	ContentType *string             `json:"contentType"`
	Immutable   *bool               `json:"immutable"`
	Data        *keyvault.Base64URL `json:"data"`
}

// releasePolicyIn validates release_policy: absent or null means none (nil),
// anything else must be a KeyReleasePolicy object whose data is base64url.
// The policy is kept as given (compacted).
func releasePolicyIn(raw json.RawMessage) (json.RawMessage, error) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil, nil
	}
	if t[0] != '{' {
		return nil, badRequest("The release_policy must be a JSON object (KeyReleasePolicy).")
	}
	var p releasePolicyJSON
	if err := json.Unmarshal(t, &p); err != nil {
		return nil, badRequest("The release_policy is invalid: " + jsonReason(err))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, t); err != nil {
		return nil, badRequest("The release_policy is invalid.")
	}
	return buf.Bytes(), nil
}

// releasePolicyOut drops a stored JSON null so the property is absent, as
// Key Vault omits release_policy on keys without one.
func releasePolicyOut(raw json.RawMessage) json.RawMessage {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return nil
	}
	return raw
}
