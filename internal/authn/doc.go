// Package authn holds what every protocol layer knows about the caller of a
// request once its bearer token has been verified: the Caller type and the
// sentinel errors a verifier returns.
//
// It is a leaf package (it imports only the standard library) so that the
// Key Vault protocol (keyvault/kvapi), the management plane
// (emulator/management) and, later, the storage protocols can share one
// caller type without importing the token authority (emulator/identity) or
// each other. Each consumer declares the verifier interface it needs and the
// emulator wiring plugs the token authority in.
package authn
