package main

import (
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/azemu/azemu/emulator"
	"github.com/azemu/azemu/emulator/pki"
)

// cert prints the CA certificate of the instance that uses the data folder,
// creating the CA there if the folder has none yet (the emulator will use it).
func cert(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("azemu cert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("DATA", "./azemu-data"), "data folder of the azemu instance")
	fs.StringVar(data, "l", *data, "alias of --data")
	fs.StringVar(data, "location", *data, "alias of --data")
	var keys rootKeyFlags
	keys.register(fs)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	rootKey, err := keys.resolve(fs)
	if err != nil {
		return err
	}
	pem, err := emulator.CACertPEM(*data, rootKey)
	if err != nil {
		return fmt.Errorf("load the CA from %s: %w", *data, err)
	}
	_, err = stdout.Write(pem)
	return err
}

// caPool trusts the CA of the running azemu that uses dataDir.
func caPool(dataDir string) (*x509.CertPool, error) {
	pem, err := pki.ReadCACert(filepath.Join(dataDir, "tls"))
	if err != nil {
		return nil, fmt.Errorf("read the CA of the azemu using %s: %w (is --data right?)", dataDir, err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return pool, nil
}
