// Package armapi serves azemu's management plane (package management) in
// Azure Resource Manager's wire protocol: one handler per REST operation,
// which decodes the request, calls one Service method and renders ARM's JSON.
//
// Every request needs a bearer token from azemu's authority for the
// management audience (https://management.core.windows.net/ or
// https://management.azure.com/); every authenticated principal may manage
// every resource. A refused token is a 401 with ARM's code
// (AuthenticationFailed, InvalidAuthenticationToken,
// ExpiredAuthenticationToken, InvalidAuthenticationTokenAudience) and a
// WWW-Authenticate naming the authority. Errors have ARM's envelope
// {"error":{"code","message"}}; a path with no resource type is 404
// InvalidResourceType, a request without api-version 400
// MissingApiVersionParameter, a malformed one InvalidApiVersionParameter.
// Any well-formed api-version is served the same way.
//
// ARM's common protocol: HEAD works on every resource (204 or the status a
// GET would give); lists answer {"value","nextLink"} and page when the client
// sends $top (nextLink carries $skiptoken); the generic resource list filters
// on resourceType, resourceGroup, name and location; resource groups filter
// on tagName/tagValue; GET /providers[/{namespace}] and POST .../register
// report the namespaces azemu serves as registered; Microsoft.Storage and
// Microsoft.KeyVault answer checkNameAvailability. Creating a storage account
// or a vault answers a synchronous 200 with provisioningState Succeeded,
// which the SDK pollers accept without polling.
package armapi
