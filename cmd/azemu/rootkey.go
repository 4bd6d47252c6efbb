package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

// rootKeyFlags are the two ways to give the root key: --root-key (visible
// to anyone who can list processes, kept for compatibility) and
// --root-key-file, a file holding the base64 key (a mounted secret), which
// keeps it off the command line.
type rootKeyFlags struct {
	key, file string
}

// register adds --root-key and --root-key-file to fs, with AZEMU_ROOT_KEY
// and AZEMU_ROOT_KEY_FILE as their defaults.
func (k *rootKeyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.key, "root-key", env("ROOT_KEY", ""),
		"root key, 32 bytes base64 (AZEMU_ROOT_KEY); visible in the process list: prefer --root-key-file; default: generated into the data folder")
	fs.StringVar(&k.file, "root-key-file", env("ROOT_KEY_FILE", ""),
		"file holding the root key, 32 bytes base64, e.g. a mounted secret (AZEMU_ROOT_KEY_FILE)")
}

// resolve returns the root key (base64) the flags and environment give,
// "" for none. A flag overrides the environment; giving both a key and a
// file at the same level is an error, not a silent choice.
func (k *rootKeyFlags) resolve(fs *flag.FlagSet) (string, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	key, file := k.key, k.file
	switch {
	case set["root-key"] && set["root-key-file"]:
		return "", errors.New("give --root-key or --root-key-file, not both")
	case set["root-key"]:
		file = ""
	case set["root-key-file"]:
		key = ""
	case key != "" && file != "":
		return "", errors.New("AZEMU_ROOT_KEY and AZEMU_ROOT_KEY_FILE are both set: keep one")
	}
	if file == "" {
		return key, nil
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
