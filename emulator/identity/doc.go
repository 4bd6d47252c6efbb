// Package identity is azemu's token authority: an Entra-ID-like OAuth 2.0
// server that issues RS256 JWT access tokens to registered principals, and
// the verifier that Key Vault and the management plane use to check them.
//
// It serves, at the root of the HTTPS host (never under a prefix, because
// MSAL Go drops path prefixes from the authority):
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration   OIDC metadata (v2)
//	GET  /{tenant}/.well-known/openid-configuration        OIDC metadata (v1)
//	POST /{tenant}/oauth2/v2.0/token                       client credentials (scope)
//	POST /{tenant}/oauth2/token                            client credentials (v1, resource)
//	GET  /{tenant}/discovery/v2.0/keys                     JWKS (also /discovery/keys)
//	GET  /msi/token                                        App Service managed identity, api-version 2019-08-01
//	GET  /metadata/identity/oauth2/token                   IMDS-style managed identity, api-version 2018-02-01
//	GET  /v1.0/me, /v1.0/servicePrincipals[/{id}]          Microsoft Graph: principals (graph.go)
//
// The tenant "adfs" is an ADFS-style authority (https://host/adfs) for the
// development tenant: its one token endpoint, /adfs/oauth2/token, takes a
// scope (as MSAL sends it) or a resource. The Azure CLI and MSAL Python use
// such an authority for a private cloud without asking the public cloud
// whether the authority is known.
//
// Tenants are matched case-insensitively. The issuer of metadata and tokens
// takes its scheme and host:port from the request when the request's host is
// one of the loopback aliases (localhost, 127.0.0.1, ::1, ...), so that both
// https://localhost:PORT and https://127.0.0.1:PORT satisfy MSAL's
// issuer-matches-authority check; otherwise from Config.Issuer.
//
// Principals are service principals (client id + secret) and managed
// identities (selected on the managed identity endpoint by client_id,
// object_id or mi_res_id). The development principal exists by default.
// Registered principals and the RSA signing key persist in Config.DataDir,
// each file sealed with the root key (crypto.Seal); client secrets are stored
// only as SHA-256 digests, inside the sealed file.
//
// VerifyToken checks signature (RS256 only, kid must match the signing key),
// expiry against the real clock with a small leeway, issuer, audience and
// that the principal is still registered, and returns the caller as an authn.Caller.
// Failures wrap one of the sentinel errors (ErrMalformedToken,
// ErrInvalidSignature, ErrTokenExpired, ErrTokenNotYetValid, ErrInvalidIssuer,
// ErrInvalidAudience, ErrUnknownPrincipal) so that protocol packages can
// render their 401s with errors.Is.
package identity
