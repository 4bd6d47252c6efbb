// Package outside uses azemutest exactly as a project outside the azemu
// module does: through its go.mod, with nothing but the public API.
package outside

import (
	"context"
	"io"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azkeys"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/azemu/azemu/emulator/azemutest"
)

func TestFromAnotherModule(t *testing.T) {
	ctx := context.Background()
	emu := azemutest.Start(t)

	blobs, err := azblob.NewClientFromConnectionString(emu.ConnectionString(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blobs.CreateContainer(ctx, "outside", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := blobs.UploadBuffer(ctx, "outside", "a.txt", []byte("from another module"), nil); err != nil {
		t.Fatal(err)
	}
	resp, err := blobs.DownloadStream(ctx, "outside", "a.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "from another module" {
		t.Fatalf("read %q", b)
	}

	keys, err := azkeys.NewClient(emu.ConnectionURL(), emu.Credential(), &azkeys.ClientOptions{ClientOptions: emu.ClientOptions()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keys.CreateKey(ctx, "outside", azkeys.CreateKeyParameters{Kty: to.Ptr(azkeys.KeyTypeRSA)}, nil); err != nil {
		t.Fatal(err)
	}
}
