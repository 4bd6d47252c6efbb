package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/azemu/azemu/emulator"
)

// clock reads or advances the emulator clock of a running azemu through its
// admin API on the HTTPS port.
func clock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("azemu clock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", env("DATA", "./azemu-data"), "data folder of the running azemu (for its CA)")
	port := fs.Int("vault-port", envInt("VAULT_PORT", 8443), "HTTPS port of the running azemu")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	pool, err := caPool(*data)
	if err != nil {
		return err
	}
	client := emulator.NewHTTPClient(pool)
	client.Timeout = 10 * time.Second
	base := "https://localhost:" + strconv.Itoa(*port) + "/_azemu/clock"
	var req *http.Request
	switch rest := fs.Args(); {
	case len(rest) == 0:
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	case len(rest) == 2 && rest[0] == "advance":
		d, perr := parseDuration(rest[1])
		if perr != nil {
			return perr
		}
		body, _ := json.Marshal(map[string]float64{"seconds": d.Seconds()})
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/advance", bytes.NewReader(body))
	default:
		fmt.Fprintln(stderr, "usage: azemu clock [advance DURATION]   e.g. azemu clock advance 90d")
		return errUsage
	}
	if err != nil {
		return err
	}
	// The admin API takes a token of an admin principal (the development
	// principal by default), for the management audience.
	tok, _, err := devToken(ctx, client, "https://localhost:"+strconv.Itoa(*port), emulator.AdminScope)
	if err != nil {
		return fmt.Errorf("%w (is azemu running with --vault-port %d and --data %s?)", err, *port, *data)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("reach azemu at %s: %w (is it running with --vault-port %d and --data %s?)", base, err, *port, *data)
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

// parseDuration accepts Go durations plus a day unit: 90d, 1d12h, 30m.
func parseDuration(s string) (time.Duration, error) {
	var total time.Duration
	rest := s
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		days, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("duration %q: use forms like 90d, 36h, 1d12h", s)
		}
		total = time.Duration(days * 24 * float64(time.Hour))
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("duration %q: use forms like 90d, 36h, 1d12h", s)
		}
		total += d
	}
	if s == "" {
		return 0, fmt.Errorf("a duration is required, like 90d")
	}
	return total, nil
}
