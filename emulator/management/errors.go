package management

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/azemu/azemu/keyvault"
)

// Error is the management plane's one error type: ARM's status, error code
// and message, rendered as {"error":{"code","message"}}.
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

func newError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

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

func errMissingAPIVersion() *Error {
	return newError(http.StatusBadRequest, CodeMissingAPIVersion,
		"The api-version query parameter (?api-version=) is required for all requests.")
}

func errGroupNotFound(group string) *Error {
	return newError(http.StatusNotFound, CodeResourceGroupNotFound, "Resource group '%s' could not be found.", group)
}

func errResourceNotFound(typ, name, group string) *Error {
	return newError(http.StatusNotFound, CodeResourceNotFound,
		"The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		typ, name, group)
}

// checkLocation refuses a PUT that names an existing resource in another
// location, as ARM does (409 InvalidResourceLocation).
func checkLocation(name, group, existing, requested string) error {
	if requested == "" || eq(normLocation(requested), normLocation(existing)) {
		return nil
	}
	return newError(http.StatusConflict, CodeInvalidResourceLocation,
		"The resource '%s' already exists in location '%s' in resource group '%s'. A resource with the same name cannot be created in location '%s'. Please select a new resource name.",
		name, existing, group, normLocation(requested))
}

func errBadBody(err error) *Error {
	return newError(http.StatusBadRequest, CodeInvalidRequestContent,
		"The request content was invalid and could not be deserialized: '%v'.", err)
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
	return newError(http.StatusBadRequest, CodeKeyVaultAuthentication, "%s", msg)
}

func errKeyVaultPolicy() *Error {
	return newError(http.StatusBadRequest, CodeKeyVaultPolicyError, "Keyvault policy recoverable is not set")
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
