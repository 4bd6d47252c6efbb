// Package emulator wires azemu together: it loads or creates the root key and
// the TLS certificates, opens the storage and vault services, starts the Blob,
// Files and HTTPS (Key Vault, identity, management) listeners, and runs the
// emulator clock that time-based behaviour follows.
//
// azemu is a library first: Start takes a Config and returns a running
// Emulator with its endpoints and a Close, so a Go test can run several
// instances in one process on free ports. There is no package-level state.
package emulator
