package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// health asks a running azemu's Blob listener whether it is ready; it exits 0
// when it is. Container images use it as their health check.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("azemu health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("blob-port", envInt("BLOB_PORT", 10000), "Blob port of the running azemu")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	url := "http://127.0.0.1:" + strconv.Itoa(*port) + "/_azemu/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("azemu is not answering at %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("azemu answered %s at %s", resp.Status, url)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
