package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator"
)

const clockUsage = `usage: azemu clock [advance DURATION] [--status-file FILE | --data DIR | --vault-port N]

Prints the emulator clock of a running azemu, or moves it forward
(e.g. advance 90d, advance 1h30m). Uses a token of the development principal,
whom the admin API allows by default.
`

// clock reads or advances the emulator clock of a running azemu through its
// admin API on the HTTPS port.
func clock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("azemu clock")
	t := addTarget(f)
	// The subcommand words may come before or after the flags.
	var words []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		words, args = append(words, args[0]), args[1:]
	}
	if err := f.parse(args, stderr); err != nil {
		if err == errUsage {
			fmt.Fprint(stderr, clockUsage)
		}
		return err
	}
	words = append(words, f.fs.Args()...)
	var advance time.Duration
	switch {
	case len(words) == 0:
	case len(words) == 2 && words[0] == "advance":
		d, err := parseDuration(words[1])
		if err != nil {
			return err
		}
		advance = d
	default:
		fmt.Fprint(stderr, clockUsage)
		return errUsage
	}
	inst, err := t.find()
	if err != nil {
		return err
	}
	inst.say(stderr, "using")
	client, err := inst.client(10 * time.Second)
	if err != nil {
		return err
	}
	if _, err := inst.health(ctx); err != nil {
		return err
	}
	base := inst.vault + "/_azemu/clock"
	var req *http.Request
	if len(words) == 0 {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	} else {
		body, _ := json.Marshal(map[string]float64{"seconds": advance.Seconds()})
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/advance", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		return err
	}
	// The admin API takes a token of an admin principal (the development
	// principal by default), for the management audience.
	tok, _, err := devToken(ctx, client, inst.vault, emulator.AdminScope)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("reach azemu at %s: %w", base, err)
	}
	defer resp.Body.Close()
	var out struct {
		Now   string `json:"now"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&out); err != nil {
		return fmt.Errorf("unexpected answer from azemu (HTTP %d): %w", resp.StatusCode, err)
	}
	if out.Error != nil {
		return fmt.Errorf("azemu refused: %s", out.Error.Message)
	}
	fmt.Fprintln(stdout, out.Now)
	return nil
}
