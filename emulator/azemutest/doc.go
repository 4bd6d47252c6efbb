// Package azemutest starts an in-memory azemu inside a Go test, on free
// ports, in one call, and stops it when the test ends:
//
//	emu := azemutest.Start(t)
//	client, _ := azblob.NewClientFromConnectionString(emu.ConnectionString(), nil)
//	keys, _ := azkeys.NewClient(emu.ConnectionURL(), emu.Credential(), &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
//
// Names follow the Testcontainers modules for Azurite (BlobServiceURL,
// ConnectionString) and Lowkey Vault (ConnectionURL, IdentityEndpoint,
// IdentityHeader, Client) so a test can move between them with few edits.
// Nothing needs Docker, and each Start is an independent instance.
package azemutest
