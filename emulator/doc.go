// Package emulator wires azemu together: it locks the data folder, loads or
// creates the root key and the TLS certificates, opens the identity, vault,
// storage and management services in dependency order, starts the Blob,
// Files and HTTPS (Key Vault, identity, management, admin API) listeners,
// and runs the emulator clock that time-based behaviour follows.
//
// azemu is a library first: Start takes a Config (the zero value is a
// working in-memory instance on free ports) and returns a running Emulator
// with its endpoints, CA and a Close, so a Go test can run several instances
// in one process. There is no package-level state. Package azemutest wraps
// it for tests.
//
// Every listener answers the public /_azemu/health and /_azemu/ca.pem. The
// admin API (/_azemu/clock, /_azemu/reset) is authorised by
// adminAuthorize: a bearer token of this emulator's authority for the
// Resource Manager audience, of a principal in Config.Admins, and no
// cross-origin browser request.
//
// Config.Seed (a JSON or YAML document, see ParseSeed) is applied at start
// through the services' own calls; Reset returns to it by calling each
// service's Reset(ctx) and applying the defaults and the seed again.
package emulator
