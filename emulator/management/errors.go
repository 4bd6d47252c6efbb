package management

import (
	"errors"
	"fmt"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/keyvault"
)

// Error is the management plane's one error type: ARM's status, error code
// and message. The HTTP layer (armapi) renders it as
// {"error":{"code","message"}}; the service names the status because each
// ARM code comes with one.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches any *Error with the same code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code
}

// NewError returns an *Error with a formatted message.
func NewError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func newError(status int, code, format string, args ...any) *Error {
	return NewError(status, code, format, args...)
}

// The HTTP statuses ARM answers with, named here so the service needs no
// HTTP package.
const (
	statusBadRequest = 400
	statusForbidden  = 403
	statusNotFound   = 404
	statusConflict   = 409
)

// ARM error codes, spelled as ARM spells them.
const (
	CodeAuthenticationFailed       = "AuthenticationFailed"
	CodeInvalidAuthenticationToken = "InvalidAuthenticationToken"
	// CodeExpiredAuthenticationToken and CodeInvalidAuthenticationTokenAudience
	// are ARM's 401 codes for an expired token and a token for another
	// audience.
	CodeExpiredAuthenticationToken         = "ExpiredAuthenticationToken"
	CodeInvalidAuthenticationTokenAudience = "InvalidAuthenticationTokenAudience"
	CodeMissingAPIVersion                  = "MissingApiVersionParameter"
	CodeInvalidAPIVersion                  = "InvalidApiVersionParameter"
	CodeInvalidQueryParameter              = "InvalidQueryParameterValue"
	CodeInvalidResourceNamespace           = "InvalidResourceNamespace"
	CodeVaultNameNotValid                  = "VaultNameNotValid"
	CodeInvalidResourceLocation            = "InvalidResourceLocation"
	CodeSubscriptionNotFound               = "SubscriptionNotFound"
	CodeResourceGroupNotFound              = "ResourceGroupNotFound"
	CodeResourceNotFound                   = "ResourceNotFound"
	CodeInvalidRequestContent              = "InvalidRequestContent"
	CodeLocationRequired                   = "LocationRequired"
	CodeInvalidResourceName                = "InvalidResourceName"
	CodeInvalidResourceGroup               = "InvalidResourceGroup"
	CodeAccountNameInvalid                 = "AccountNameInvalid"
	CodeStorageAccountAlreadyTaken         = "StorageAccountAlreadyTaken"
	// CodeStorageAccountInAnotherGroup is the 409 for a name held by an
	// account of another group in the same subscription.
	CodeStorageAccountInAnotherGroup = "StorageAccountInAnotherResourceGroup"
	CodeInvalidValues                = "InvalidValuesForRequestParameters"
	CodeInvalidRequestPropertyValue  = "InvalidRequestPropertyValue"
	CodeKeyVaultPolicyError          = "KeyVaultPolicyError"
	CodeKeyVaultAuthentication       = "KeyVaultAuthenticationFailure"
	CodeMethodNotAllowed             = "MethodNotAllowed"
	CodeNoRegisteredProvider         = "NoRegisteredProviderFound"
	CodeInvalidResourceType          = "InvalidResourceType"
	CodeRoleAssignmentNotFound       = "RoleAssignmentNotFound"
	CodeRoleAssignmentExists         = "RoleAssignmentExists"
	CodeRoleDefinitionDoesNotExist   = "RoleDefinitionDoesNotExist"
	CodeInvalidRoleAssignmentID      = "InvalidRoleAssignmentId"
	CodeUnsupportedScope             = "UnsupportedScope"
	CodeConflict                     = "Conflict"
	CodeInternalError                = "InternalServerError"
)

func errGroupNotFound(group string) *Error {
	return newError(statusNotFound, CodeResourceGroupNotFound, "Resource group '%s' could not be found.", group)
}

func errResourceNotFound(typ, name, group string) *Error {
	return newError(statusNotFound, CodeResourceNotFound,
		"The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		typ, name, group)
}

// checkLocation refuses a PUT that names an existing resource in another
// location, as ARM does (409 InvalidResourceLocation).
func checkLocation(name, group, existing, requested string) error {
	if requested == "" || eq(NormLocation(requested), NormLocation(existing)) {
		return nil
	}
	return newError(statusConflict, CodeInvalidResourceLocation,
		"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
		name, existing, group, NormLocation(requested))
}

// errKeyVaultAuth is what Azure Storage answers when it cannot use the key:
// the identity lacks get/wrapKey/unwrapKey, or the key is missing, disabled
// or expired. The requirements are those of "Customer-managed keys for Azure
// Storage encryption"
// (https://learn.microsoft.com/azure/storage/common/customer-managed-keys-overview);
// the message is the one Azure returns (reported in azure-docs issue 84096),
// the code is an approximation since none is documented.
func errKeyVaultAuth(detail string) *Error {
	msg := "The operation failed because of authentication issue on the keyvault."
	if detail != "" {
		msg += " " + detail
	}
	return newError(statusBadRequest, CodeKeyVaultAuthentication, "%s", msg)
}

func errKeyVaultPolicy() *Error {
	return newError(statusBadRequest, CodeKeyVaultPolicyError, "Keyvault policy recoverable is not set")
}

// fromVault turns a vault service error into the management plane's shape,
// keeping Key Vault's status and code (VaultAlreadyExists, MethodNotAllowed,
// BadParameter, ...).
func fromVault(err error) error {
	var ke *keyvault.Error
	if errors.As(err, &ke) {
		return &Error{Status: ke.Status, Code: ke.Code, Message: ke.Message}
	}
	return err
}

// fromStorage maps a storage service error to ARM's shape (a storage 403
// is a 400 on the management plane).
func fromStorage(err error) error {
	var se *storageerr.Error
	if errors.As(err, &se) {
		status := se.Status
		if status == statusForbidden {
			status = statusBadRequest
		}
		return &Error{Status: status, Code: se.Code, Message: se.Message}
	}
	return err
}
