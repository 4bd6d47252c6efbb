package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// resolveRootKey returns the root key (base64) that --root-key or
// --root-key-file gives, "" for none. --root-key puts the key where anyone
// who can list processes reads it; --root-key-file reads it from a file (a
// mounted secret) instead. Both given (by flag or variable) is an error, not
// a silent pick.
func resolveRootKey(key, file string) (string, error) {
	switch {
	case file == "":
		return key, nil
	case key != "":
		return "", errors.New("give --root-key (AZEMU_ROOT_KEY) or --root-key-file (AZEMU_ROOT_KEY_FILE), not both")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("root key file: %w", err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("root key file %s is empty", file)
	}
	return v, nil
}
