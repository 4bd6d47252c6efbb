// Package pki makes and keeps azemu's TLS material: a development CA
// ("azemu Development CA", ECDSA P-256, 10 years) and a server certificate it
// signs (ECDSA P-256, 2 years, which stays under the 825-day limit Apple
// platforms enforce even for private roots) with SANs for localhost, the
// loopback addresses, host.docker.internal, vault.localhost and the
// *.vault/blob/file.localhost wildcards.
//
// Load(dir) reuses the files in dir (ca.pem, ca-key.pem, server.pem,
// server-key.pem; key files mode 0600) and regenerates only what is missing,
// unreadable, expiring within 30 days, or (for the server certificate) not
// matching the wanted SANs or no longer signed by the CA. The CA key is TLS
// material, not user data, so it is stored unsealed with mode 0600, as
// mkcert does. dir "" keeps everything in memory.
package pki
