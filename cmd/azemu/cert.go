package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

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
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	b, err := pki.Load(filepath.Join(*data, "tls"))
	if err != nil {
		return fmt.Errorf("load the CA from %s: %w", *data, err)
	}
	_, err = stdout.Write(b.CACertPEM)
	return err
}
