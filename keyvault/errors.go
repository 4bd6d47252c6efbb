package keyvault

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one error type of the vault service. It carries Key Vault's
// HTTP status, error code and inner error code; kvapi renders it as
// {"error":{"code","message","innererror":{"code"}}}. The management plane may
// map the vault-level codes (VaultAlreadyExists, ...) to ARM's shape.
type Error struct {
	Status  int
	Code    string
	Message string
	Inner   string // innererror.code, "" when absent
}

// Error returns "Code/Inner: Message".
func (e *Error) Error() string {
	if e.Inner != "" {
		return e.Code + "/" + e.Inner + ": " + e.Message
	}
	return e.Code + ": " + e.Message
}

// Is matches any *Error with the same code and inner code, so
// errors.Is(err, keyvault.ErrKeyDisabled) works whatever the message.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && t.Inner == e.Inner
}

// withMessage returns a copy of e with another message.
func (e *Error) withMessage(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Codes as Key Vault spells them.
const (
	CodeUnauthorized                  = "Unauthorized"
	CodeForbidden                     = "Forbidden"
	CodeKeyNotFound                   = "KeyNotFound"
	CodeVaultNotFound                 = "VaultNotFound"
	CodeBadParameter                  = "BadParameter"
	CodeConflict                      = "Conflict"
	CodeAccessDenied                  = "AccessDenied"
	CodeForbiddenByRbac               = "ForbiddenByRbac"
	CodeForbiddenByPolicy             = "ForbiddenByPolicy"
	CodeKeyDisabled                   = "KeyDisabled"
	CodeKeyOperationForbidden         = "KeyOperationForbidden"
	CodeObjectIsDeletedButRecoverable = "ObjectIsDeletedButRecoverable"
	CodeVaultAlreadyExists            = "VaultAlreadyExists"
	CodeMethodNotAllowed              = "MethodNotAllowed"
	CodeInternalError                 = "InternalError"
	CodeSecretNotFound                = "SecretNotFound"
	CodeSecretDisabled                = "SecretDisabled"
	CodeCertificateNotFound           = "CertificateNotFound"
	CodeCertificateDisabled           = "CertificateDisabled"
	CodeCertificateOperationNotFound  = "CertificateOperationNotFound"
	CodeCertificateIssuerNotFound     = "CertificateIssuerNotFound"
	CodeContactsNotFound              = "ContactsNotFound"
)

// The table of errors. Messages are defaults; most call sites set the exact
// Azure message with the name filled in.
var (
	ErrUnauthorized          = &Error{http.StatusUnauthorized, CodeUnauthorized, "AKV10000: Request is missing a Bearer or PoP token.", ""}
	ErrKeyNotFound           = &Error{http.StatusNotFound, CodeKeyNotFound, "A key with (name/id) was not found in this key vault.", ""}
	ErrVaultNotFound         = &Error{http.StatusNotFound, CodeVaultNotFound, "The vault was not found.", ""}
	ErrBadParameter          = &Error{http.StatusBadRequest, CodeBadParameter, "The request is invalid.", ""}
	ErrAccessDenied          = &Error{http.StatusForbidden, CodeForbidden, "Access denied.", CodeAccessDenied}
	ErrForbiddenByRbac       = &Error{http.StatusForbidden, CodeForbidden, "Caller is not authorized to perform action on resource.", CodeForbiddenByRbac}
	ErrPurgeProtected        = &Error{http.StatusForbidden, CodeForbidden, "Operation \"purge\" is not allowed because purge protection is enabled for this vault.", CodeForbiddenByPolicy}
	ErrKeyDisabled           = &Error{http.StatusForbidden, CodeForbidden, "Operation is not allowed on a disabled key.", CodeKeyDisabled}
	ErrKeyOperationForbidden = &Error{http.StatusForbidden, CodeForbidden, "Operation is not permitted on this key.", CodeKeyOperationForbidden}
	// ErrKeyNotValidNow is returned by encrypt, wrapKey and sign outside the
	// nbf/exp window. The inner code is not documented by Azure (approximation).
	ErrKeyNotValidNow       = &Error{http.StatusForbidden, CodeForbidden, "Operation is not allowed on an expired key.", ""}
	ErrDeletedButRecover    = &Error{http.StatusConflict, CodeConflict, "The key is currently in a deleted but recoverable state.", CodeObjectIsDeletedButRecoverable}
	ErrConflict             = &Error{http.StatusConflict, CodeConflict, "Conflict.", ""}
	ErrVaultAlreadyExists   = &Error{http.StatusConflict, CodeVaultAlreadyExists, "The vault name is already in use.", ""}
	ErrVaultPurgeNotAllowed = &Error{http.StatusConflict, CodeMethodNotAllowed, "Operation 'DeletedVaultPurge' is not allowed.", ""}
	ErrInternal             = &Error{http.StatusInternalServerError, CodeInternalError, "The server encountered an internal error.", ""}

	ErrSecretNotFound = &Error{http.StatusNotFound, CodeSecretNotFound, "A secret with (name/id) was not found in this key vault.", ""}
	// ErrSecretDisabled answers Get Secret of a disabled version, as Key
	// Vault does ("Operation get is not allowed on a disabled secret.").
	ErrSecretDisabled = &Error{http.StatusForbidden, CodeForbidden, "Operation get is not allowed on a disabled secret.", CodeSecretDisabled}
	// ErrManagedObject refuses changing a secret (or key) that backs a
	// certificate through the secrets (or keys) API: its lifetime is managed
	// by the certificate. The inner code is an approximation; Key Vault does
	// not document it.
	ErrManagedObject       = &Error{http.StatusForbidden, CodeForbidden, "Operation is not allowed on a managed object.", "OperationNotAllowed"}
	ErrCertificateNotFound = &Error{http.StatusNotFound, CodeCertificateNotFound, "A certificate with (name/id) was not found in this key vault.", ""}
	ErrCertificateDisabled = &Error{http.StatusForbidden, CodeForbidden, "Operation is not allowed on a disabled certificate.", CodeCertificateDisabled}
	ErrCertOpNotFound      = &Error{http.StatusNotFound, CodeCertificateOperationNotFound, "Pending certificate not found.", ""}
	ErrIssuerNotFound      = &Error{http.StatusNotFound, CodeCertificateIssuerNotFound, "Issuer not found.", ""}
	ErrContactsNotFound    = &Error{http.StatusNotFound, CodeContactsNotFound, "Contacts not found.", ""}
)

// badParam returns a 400 BadParameter with the given message.
func badParam(format string, args ...any) *Error { return ErrBadParameter.withMessage(format, args...) }

func keyNotFound(name string) *Error {
	return ErrKeyNotFound.withMessage("A key with (name/id) %s was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", name)
}

func deletedKeyNotFound(name string) *Error {
	return ErrKeyNotFound.withMessage("Deleted Key not found: %s", name)
}

func vaultNotFound(name string) *Error {
	return ErrVaultNotFound.withMessage("The vault '%s' could not be found.", name)
}
