package emulator

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/azemu/azemu/crypto"
	"github.com/azemu/azemu/emulator/pki"
)

const rootKeyFile = "root.key"

// loadRootKey returns the root key: the configured one, else the one in the
// data folder, else a new one (written to the data folder, mode 0600, unless
// in memory). The file holds the key in base64 so it can be moved into a
// secret store and passed back with --root-key.
func loadRootKey(cfg *Config) (crypto.Key, error) {
	var k crypto.Key
	if cfg.RootKey != "" {
		raw, err := base64.StdEncoding.DecodeString(cfg.RootKey)
		if err != nil || len(raw) != crypto.KeySize {
			return k, errors.New("the root key must be 32 bytes, base64-encoded")
		}
		copy(k[:], raw)
		return k, nil
	}
	if cfg.InMemory {
		return crypto.NewKey()
	}
	path := filepath.Join(cfg.DataDir, rootKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(raw) != crypto.KeySize {
			return k, fmt.Errorf("%s is not a base64 256-bit key; restore it from your backup or pass --root-key", path)
		}
		copy(k[:], raw)
		return k, nil
	case errors.Is(err, fs.ErrNotExist):
		k, err = crypto.NewKey()
		if err != nil {
			return k, err
		}
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(base64.StdEncoding.EncodeToString(k[:])+"\n"), 0o600); err != nil {
			return k, fmt.Errorf("write root key: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return k, fmt.Errorf("write root key: %w", err)
		}
		return k, nil
	default:
		return k, fmt.Errorf("read root key: %w", err)
	}
}

// ErrNoCA means a data folder holds no CA certificate: no azemu has run
// with it yet.
var ErrNoCA = errors.New("no azemu CA in this data folder")

// ReadCACert returns the CA certificate (PEM) of the instance that uses
// dataDir: the one a running instance put in its status file, else the one
// in the folder. It never creates a CA: a client must trust the CA the
// server really uses.
func ReadCACert(dataDir string) ([]byte, error) {
	if st, err := ReadStatus(filepath.Join(dataDir, StatusFile)); err == nil && st.CACert != "" {
		return []byte(st.CACert), nil
	}
	pem, err := pki.ReadCACert(filepath.Join(dataDir, "tls"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no tls/ca.pem; start azemu with --data %s first", ErrNoCA, dataDir, dataDir)
	}
	return pem, err
}
