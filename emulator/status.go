package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// StatusFile is the name of the status file an instance keeps in its data
// folder while it runs, so that tools pointed at the folder find it.
const StatusFile = "status.json"

// Status describes a running instance: where it listens, what to trust and
// who it is. It is what `--status-file` and DataDir/status.json hold.
type Status struct {
	Blob     string `json:"blob,omitempty"`
	File     string `json:"file,omitempty"`
	Queue    string `json:"queue,omitempty"`
	Vault    string `json:"vault,omitempty"`
	DevVault string `json:"devVault,omitempty"`
	// Console is the web console's address, when it is on.
	Console          string `json:"console,omitempty"`
	ConnectionString string `json:"connectionString"`
	// CACert is the PEM of the CA to trust for the HTTPS endpoints.
	CACert string `json:"caCert"`
	// Instance is the id /_azemu/health answers, to tell a stale status
	// file (whose ports another process now holds) from a live one.
	Instance string `json:"instance"`
	PID      int    `json:"pid"`
	// DataDir is the data folder, empty in memory.
	DataDir string `json:"dataDir,omitempty"`
}

// Status returns the instance's status. Blob, File and Queue name the
// development account's endpoints.
func (e *Emulator) Status() Status {
	st := Status{
		ConnectionString: e.ConnectionString(),
		CACert:           string(e.CACertPEM()),
		Instance:         e.instance,
		PID:              os.Getpid(),
		Console:          e.consoleURL,
	}
	if e.blobURL != "" {
		st.Blob = e.blobURL + "/" + DevAccountName
	}
	if e.fileURL != "" {
		st.File = e.fileURL + "/" + DevAccountName
	}
	if e.queueURL != "" {
		st.Queue = e.queueURL + "/" + DevAccountName
	}
	if e.vaultURL != "" {
		st.Vault, st.DevVault = e.vaultURL, e.DevVaultURL()
	}
	if !e.cfg.InMemory {
		if abs, err := filepath.Abs(e.cfg.DataDir); err == nil {
			st.DataDir = abs
		}
	}
	return st
}

// WriteStatus writes the status as JSON to path atomically, so a script
// polling for it never reads half of it.
func (e *Emulator) WriteStatus(path string) error {
	b, err := json.MarshalIndent(e.Status(), "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write status: %w", err)
	}
	return nil
}

// ReadStatus reads a status file written by WriteStatus.
func ReadStatus(path string) (Status, error) {
	var st Status
	f, err := os.Open(path)
	if err != nil {
		return st, err
	}
	defer f.Close()
	if err := json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&st); err != nil {
		return st, fmt.Errorf("%s is not an azemu status file: %w", path, err)
	}
	return st, nil
}
