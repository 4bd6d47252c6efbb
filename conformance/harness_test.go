package conformance

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/emulator"
)

// option changes the emulator config a test starts with.
type option func(*emulator.Config)

// withDataDir keeps the emulator's data on disk in dir (for persistence and
// canary tests) instead of in memory.
func withDataDir(dir string) option {
	return func(c *emulator.Config) { c.InMemory = false; c.DataDir = dir }
}

// withConfig edits the config directly.
func withConfig(f func(*emulator.Config)) option { return option(f) }

// startAzemu starts an in-memory azemu on free ports and stops it when the
// test ends. AZEMU_TEST_LOG=debug shows the emulator's request log.
func startAzemu(t testing.TB, opts ...option) *emulator.Emulator {
	t.Helper()
	cfg := emulator.Config{InMemory: true}
	if lvl := os.Getenv("AZEMU_TEST_LOG"); lvl != "" {
		var l slog.Level
		_ = l.UnmarshalText([]byte(lvl))
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
	}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	emu, err := emulator.Start(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, emu.Close()) })
	return emu
}

// clientOptions are azcore options that reach the emulator: its CA is
// trusted and *.localhost names dial the loopback address.
func clientOptions(emu *emulator.Emulator) azcore.ClientOptions {
	return azcore.ClientOptions{
		Transport: emu.HTTPClient(),
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: emu.VaultURL() + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: emu.VaultURL(), Audience: "https://management.azure.com"},
			},
		},
		Retry: policy.RetryOptions{MaxRetries: -1},
	}
}

// devCredential is a real azidentity client-secret credential for the
// emulator's development principal.
func devCredential(t testing.TB, emu *emulator.Emulator) *azidentity.ClientSecretCredential {
	t.Helper()
	return secretCredential(t, emu, emulator.DevClientID, emulator.DevClientSecret)
}

// secretCredential is a client-secret credential for any principal of the
// development tenant.
func secretCredential(t testing.TB, emu *emulator.Emulator, clientID, secret string) *azidentity.ClientSecretCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(emulator.DevTenantID, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            clientOptions(emu),
			DisableInstanceDiscovery: true,
		})
	require.NoError(t, err)
	return cred
}

// httpClient is a plain client for raw-protocol checks the SDKs cannot make.
func httpClient(emu *emulator.Emulator) *http.Client { return emu.HTTPClient() }
