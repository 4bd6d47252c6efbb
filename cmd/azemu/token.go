package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/azemu/azemu/emulator"
)

// devToken gets an access token for scope from the running azemu's
// authority at base (https://localhost:PORT), as the development principal,
// with the client-credentials grant an azidentity ClientSecretCredential
// uses.
func devToken(ctx context.Context, client *http.Client, base, scope string) (string, int, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emulator.DevClientID},
		"client_secret": {emulator.DevClientSecret}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/"+emulator.DevTenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok); err != nil || tok.AccessToken == "" {
		return "", resp.StatusCode, fmt.Errorf("token request for %s answered %d", scope, resp.StatusCode)
	}
	return tok.AccessToken, resp.StatusCode, nil
}
