package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/azemu/azemu/emulator"
)

const resetUsage = `usage: azemu reset [--status-file FILE | --data DIR | --vault-port N]

Returns a running azemu to its seeded state: every account, container, blob,
share, vault, key, principal and management resource not in the seed (or the
built-in defaults) is removed, what the seed declares is restored, and the
emulator clock goes back to real time. Uses a token of the development
principal, whom the admin API allows by default.
`

// reset calls POST /_azemu/reset on a running azemu, found as azemu clock
// finds it.
func reset(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("azemu reset")
	t := addTarget(f)
	if err := f.parse(args, stderr); err != nil {
		if err == errUsage {
			fmt.Fprint(stderr, resetUsage)
		}
		return err
	}
	if f.fs.NArg() > 0 {
		fmt.Fprint(stderr, resetUsage)
		return errUsage
	}
	inst, err := t.find()
	if err != nil {
		return err
	}
	inst.say(stderr, "resetting")
	client, err := inst.client(30 * time.Second)
	if err != nil {
		return err
	}
	if _, err := inst.health(ctx); err != nil {
		return err
	}
	tok, _, err := devToken(ctx, client, inst.vault, emulator.AdminScope)
	if err != nil {
		return err
	}
	url := inst.vault + "/_azemu/reset"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("reach azemu at %s: %w", url, err)
	}
	defer resp.Body.Close()
	var out struct {
		Now    string `json:"now"`
		TookMs int64  `json:"tookMs"`
		Error  *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return fmt.Errorf("unexpected answer from azemu (HTTP %d): %w", resp.StatusCode, err)
	}
	if out.Error != nil {
		return fmt.Errorf("azemu refused: %s", out.Error.Message)
	}
	fmt.Fprintf(stdout, "reset in %d ms; clock %s\n", out.TookMs, out.Now)
	return nil
}
