package azemutest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/azemu/azemu/emulator/azemutest"
)

// In a test, azemutest.Start(t) does this and closes the instance when the
// test ends. Blob (and Files) clients need only the connection string.
func Example() {
	ctx := context.Background()
	emu, err := azemutest.New(ctx)
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	client, err := azblob.NewClientFromConnectionString(emu.ConnectionString(), nil)
	if err != nil {
		panic(err)
	}
	if _, err := client.CreateContainer(ctx, "docs", nil); err != nil {
		panic(err)
	}
	if _, err := client.UploadBuffer(ctx, "docs", "hello.txt", []byte("hello, azemu"), nil); err != nil {
		panic(err)
	}
	resp, err := client.DownloadStream(ctx, "docs", "hello.txt", nil)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(string(b))
	// Output: hello, azemu
}

// Key Vault clients take the vault URL, the development principal's
// credential and ClientOptions, whose transport trusts the CA and reaches
// devvault.vault.localhost without a *.localhost resolver.
func ExampleAzemu_ConnectionURL() {
	ctx := context.Background()
	emu, err := azemutest.New(ctx)
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	keys, err := azkeys.NewClient(emu.ConnectionURL(), emu.Credential(), &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
	if err != nil {
		panic(err)
	}
	k, err := keys.CreateKey(ctx, "signing", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA), KeySize: to.Ptr[int32](2048)}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Key.KID.Name(), *k.Key.Kty)
	// Output: signing RSA
}

// A ManagedIdentityCredential finds azemu through IDENTITY_ENDPOINT and
// IDENTITY_HEADER, as it finds App Service's endpoint.
func ExampleAzemu_IdentityEndpoint() {
	ctx := context.Background()
	emu, err := azemutest.New(ctx)
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	os.Setenv("IDENTITY_ENDPOINT", emu.IdentityEndpoint())
	os.Setenv("IDENTITY_HEADER", emu.IdentityHeader())
	defer os.Unsetenv("IDENTITY_ENDPOINT")
	defer os.Unsetenv("IDENTITY_HEADER")
	cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ClientOptions: emu.ClientOptions()})
	if err != nil {
		panic(err)
	}
	keys, err := azkeys.NewClient(emu.ConnectionURL(), cred, &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
	if err != nil {
		panic(err)
	}
	_, err = keys.CreateKey(ctx, "from-mi", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeEC)}, nil)
	fmt.Println(err == nil)
	// Output: true
}

// The CA as a cert pool, for any Go client; CACertPEM for other languages.
func ExampleAzemu_CertPool() {
	emu, err := azemutest.New(context.Background())
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: emu.CertPool()}}}
	resp, err := client.Get(emu.ManagementURL() + "/_azemu/health")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, strings.HasPrefix(string(emu.CACertPEM()), "-----BEGIN CERTIFICATE-----"))
	// Output: 200 OK true
}

// The emulator clock moves forward on demand: a soft-deleted key's purge
// date arrives without waiting 90 days.
func ExampleAzemu_Advance() {
	emu, err := azemutest.New(context.Background())
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	before := emu.Now()
	after := emu.Advance(90 * 24 * time.Hour)
	fmt.Println(after.Sub(before) >= 90*24*time.Hour)
	// Output: true
}

// A storage account encrypted with a key in the vault: revoking the
// account identity's access makes its data unreadable at once, restoring it
// makes it readable again.
func ExampleAzemu_CreateCMKAccount() {
	ctx := context.Background()
	emu, err := azemutest.New(ctx)
	if err != nil {
		panic(err)
	}
	defer emu.Close()

	acct, err := emu.CreateCMKAccount(ctx, "cmkdemo")
	if err != nil {
		panic(err)
	}
	client, err := azblob.NewClientFromConnectionString(acct.ConnectionString(), nil)
	if err != nil {
		panic(err)
	}
	_, _ = client.CreateContainer(ctx, "data", nil)
	if _, err := client.UploadBuffer(ctx, "data", "secret.txt", []byte("sealed"), nil); err != nil {
		panic(err)
	}
	read := func() string {
		resp, err := client.DownloadStream(ctx, "data", "secret.txt", nil)
		var re *azcore.ResponseError
		if errors.As(err, &re) {
			return fmt.Sprint(re.StatusCode, " ", re.ErrorCode)
		}
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	fmt.Println(read())
	if err := acct.RevokeKeyAccess(ctx); err != nil {
		panic(err)
	}
	fmt.Println(read())
	if err := acct.RestoreKeyAccess(ctx); err != nil {
		panic(err)
	}
	fmt.Println(read())
	// Output:
	// sealed
	// 403 KeyVaultEncryptionKeyNotFound
	// sealed
}
