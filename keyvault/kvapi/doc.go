// Package kvapi is the Key Vault keys REST protocol (api-version 7.x and
// 2025-07-01) over the keyvault service.
//
// Request pipeline (ServeHTTP): vault from Host → api-version check → bearer
// challenge (a request without Authorization gets 401 + WWW-Authenticate
// before its body is read, as the azkeys challenge policy requires) → token
// verification → route → handler → one error renderer. Handlers translate
// JSON to typed service calls and back; every rule lives in keyvault.
//
// Routing follows Key Vault's quirks: path segments are matched
// case-insensitively, empty segments are ignored (azcore collapses an empty
// version, so "/keys/{name}/wrapkey" is the versionless form and
// "/keys/{name}/" is the latest version) and a trailing slash is allowed.
package kvapi
