// Package console is azemu's web console: a page, served on its own plain
// HTTP port on the loopback address, that shows and changes the emulator's
// state the way the Azure portal does (storage accounts, containers and
// shares, vaults and keys, an account's encryption settings, the chain that
// lets a customer-managed key unlock an account) and shows a live log of
// every request the emulator serves.
//
// The console is a client of azemu's own public APIs, never of its
// internals: every action becomes the REST call a user would make (Blob and
// File REST signed with Shared Key using the key the management plane's
// listKeys returns, Key Vault REST and ARM calls with a bearer token of the
// development principal, the admin clock API), sent to the emulator's own
// endpoints. So the console obeys the same rules, access checks and error
// codes as any SDK, and depends only on wire formats.
//
// The page's scripts compose those calls; the backend adds credentials and
// forwards them (see proxy.go). Because a page on the loopback address that
// holds credentials is a target for other sites the user visits, the
// backend refuses any request whose Host is not one of its own names (DNS
// rebinding) and any write that does not come from its own page (see
// guard.go). Assets are embedded; the page loads nothing from elsewhere.
package console
