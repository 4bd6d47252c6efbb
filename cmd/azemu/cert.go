package main

import (
	"context"
	"fmt"
	"io"

	"github.com/azemu/azemu/emulator"
)

const certUsage = `usage: azemu cert [--status-file FILE | --data DIR | --url URL] > azemu-ca.pem

Prints the PEM of the CA a running azemu's HTTPS certificate chains to. It
never makes a CA: it reads the one the instance uses, from its status file,
its data folder, or (--url) from the instance itself at /_azemu/ca.pem.
`

// cert prints the CA certificate of an azemu instance.
func cert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("azemu cert")
	t := addTarget(f)
	var from string
	f.str(groupTarget, &from, "", "", "base URL of a running azemu's listener to fetch the CA from, e.g. http://127.0.0.1:10000", "url")
	if err := f.parse(args, stderr); err != nil {
		if err == errUsage {
			fmt.Fprint(stderr, certUsage)
		}
		return err
	}
	var pem []byte
	switch {
	case from != "":
		var unverified bool
		var err error
		pem, unverified, err = fetchCA(ctx, from)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "azemu: the CA served by %s\n", from)
		if unverified {
			fmt.Fprintln(stderr, "azemu: fetched over HTTPS without verifying the server (it is the CA being fetched); prefer an http:// Blob or Files URL, --status-file or --data")
		}
	case t.statusFile != "":
		st, err := emulator.ReadStatus(t.statusFile)
		if err != nil {
			return fmt.Errorf("no running azemu wrote %s (%w); start it with --status-file %s", t.statusFile, err, t.statusFile)
		}
		pem = []byte(st.CACert)
		fmt.Fprintf(stderr, "azemu: the CA of the azemu in %s (pid %d)\n", t.statusFile, st.PID)
	default:
		var err error
		if pem, err = emulator.ReadCACert(t.data); err != nil {
			return fmt.Errorf("%w\nFor an --in-memory azemu: azemu cert --status-file FILE, or azemu cert --url http://127.0.0.1:10000", err)
		}
		fmt.Fprintf(stderr, "azemu: the CA of the azemu using %s\n", t.data)
	}
	_, err := stdout.Write(pem)
	return err
}
