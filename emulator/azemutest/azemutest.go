package azemutest

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azemu/azemu/emulator"
)

// Well-known identities of every instance, repeated here so a test needs
// one import.
const (
	AccountName  = emulator.DevAccountName
	AccountKey   = emulator.DevAccountKey
	TenantID     = emulator.DevTenantID
	ClientID     = emulator.DevClientID
	ClientSecret = emulator.DevClientSecret
	VaultName    = emulator.DevVaultName
)

// Option changes the configuration an instance starts with.
type Option func(*emulator.Config)

// WithConfig edits the emulator configuration directly (accounts,
// principals, a CMK cache TTL, a logger, ...).
func WithConfig(f func(*emulator.Config)) Option { return Option(f) }

// Azemu is a running in-memory azemu owned by one test.
type Azemu struct {
	emu  *emulator.Emulator
	cred *azidentity.ClientSecretCredential
}

// Start starts an in-memory azemu on free ports and registers its Close
// with t.Cleanup. It fails the test if the emulator cannot start.
func Start(t testing.TB, opts ...Option) *Azemu {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := New(ctx, opts...)
	if err != nil {
		t.Fatalf("azemutest: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("azemutest: close azemu: %v", err)
		}
	})
	return a
}

// New starts an in-memory azemu on free ports; the caller Closes it. Start
// is the one-call form for tests.
func New(ctx context.Context, opts ...Option) (*Azemu, error) {
	var cfg emulator.Config // in memory, free ports
	for _, o := range opts {
		o(&cfg)
	}
	emu, err := emulator.Start(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("start azemu: %w", err)
	}
	a := &Azemu{emu: emu}
	a.cred, err = azidentity.NewClientSecretCredential(TenantID, ClientID, ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: a.ClientOptions(), DisableInstanceDiscovery: true})
	if err != nil {
		_ = emu.Close()
		return nil, fmt.Errorf("credential: %w", err)
	}
	return a, nil
}

// Close stops the instance and removes everything it kept.
func (a *Azemu) Close() error { return a.emu.Close() }

// Emulator is the instance itself, for what this package does not wrap.
func (a *Azemu) Emulator() *emulator.Emulator { return a.emu }

// BlobServiceURL is the Blob endpoint of the development account,
// e.g. http://127.0.0.1:PORT/devstoreaccount1.
func (a *Azemu) BlobServiceURL() string { return a.emu.BlobURL() + "/" + AccountName }

// FileServiceURL is the Files endpoint of the development account.
func (a *Azemu) FileServiceURL() string { return a.emu.FileURL() + "/" + AccountName }

// ConnectionString is the development account's connection string, for
// azblob.NewClientFromConnectionString and share.NewClientFromConnectionString.
func (a *Azemu) ConnectionString() string { return a.emu.ConnectionString() }

// ConnectionURL is the URL of the default vault (devvault), for azkeys and
// azsecrets clients built with ClientOptions.
func (a *Azemu) ConnectionURL() string { return a.emu.DevVaultURL() }

// VaultURL is the URL of the named vault.
func (a *Azemu) VaultURL(name string) string {
	return "https://" + name + ".vault.localhost:" + portOf(a.emu.VaultURL())
}

// AuthorityHost is the token authority, for azidentity's
// ClientOptions.Cloud.ActiveDirectoryAuthorityHost (ClientOptions sets it).
func (a *Azemu) AuthorityHost() string { return a.emu.VaultURL() + "/" }

// Credential is a ClientSecretCredential of the development principal,
// which the default vault's access policy and the admin API allow.
func (a *Azemu) Credential() azcore.TokenCredential { return a.cred }

// IdentityEndpoint and IdentityHeader are the values of IDENTITY_ENDPOINT
// and IDENTITY_HEADER for azidentity's ManagedIdentityCredential.
func (a *Azemu) IdentityEndpoint() string { return a.emu.IdentityEndpoint() }

// IdentityHeader: see IdentityEndpoint.
func (a *Azemu) IdentityHeader() string { return a.emu.IdentityHeader() }

// CertPool trusts the instance's CA (and nothing else).
func (a *Azemu) CertPool() *x509.CertPool { return a.emu.CertPool() }

// CACertPEM is the instance's CA certificate, for non-Go clients
// (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, curl --cacert).
func (a *Azemu) CACertPEM() []byte { return a.emu.CACertPEM() }

// Client is an HTTP client that trusts the instance's CA and dials
// *.localhost names (devvault.vault.localhost) on the loopback address, so
// it works without a *.localhost resolver. It is an azcore Transporter.
func (a *Azemu) Client() *http.Client { return a.emu.HTTPClient() }

// ClientOptions are azcore options for any SDK client: the transport of
// Client, the emulator as token authority and as Resource Manager, and no
// retries (a test wants the first answer).
func (a *Azemu) ClientOptions() azcore.ClientOptions {
	return azcore.ClientOptions{
		Transport: a.Client(),
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: a.AuthorityHost(),
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: a.emu.VaultURL(), Audience: "https://management.azure.com"},
			},
		},
		Retry: policy.RetryOptions{MaxRetries: -1},
	}
}

// ManagementURL is the Resource Manager endpoint (ARM-like management plane).
func (a *Azemu) ManagementURL() string { return a.emu.VaultURL() }

// Now is the emulator clock.
func (a *Azemu) Now() time.Time { return a.emu.Clock().Now() }

// Advance moves the emulator clock forward by d and runs what became due
// (scheduled purges, key rotation, lease expiry); tests never sleep.
func (a *Azemu) Advance(d time.Duration) time.Time {
	return a.emu.AdvanceClock(context.Background(), d)
}

func portOf(u string) string {
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] == ':' {
			return u[i+1:]
		}
	}
	return ""
}
