package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lockFile is the file a running azemu holds an exclusive lock on inside its
// data folder (and inside the temporary folder of an in-memory instance).
// It also holds the owner's pid, so a second azemu can name it.
const lockFile = "azemu.lock"

// memDirPrefix names the temporary folders of in-memory instances; leftovers
// of killed instances are swept at the next start.
const memDirPrefix = "azemu-mem-"

// minShmFree is the free space /dev/shm must have for an in-memory instance
// to keep its storage there; Docker gives containers 64 MB by default, too
// little for real blobs, so a smaller /dev/shm falls back to the temp folder.
const minShmFree = 512 << 20

// ErrDataDirInUse means another process holds the data folder's lock.
var ErrDataDirInUse = errors.New("the data folder is in use by another azemu")

// dataDir is the folder an instance keeps its state in, locked for its life.
type dataDir struct {
	path string
	// temp: the folder is the instance's own (in memory) and goes on Close.
	temp bool
	// created lists what this start made, removed again if the start fails
	// so that a failed start leaves nothing behind.
	created []string
	unlock  func()
}

// openDataDir creates (if needed) and locks the data folder. In memory it
// makes a fresh temporary folder, after sweeping those of dead instances.
func openDataDir(cfg *Config) (*dataDir, error) {
	if cfg.InMemory {
		return openMemDir()
	}
	d := &dataDir{path: cfg.DataDir}
	if err := d.mkdir(d.path); err != nil {
		return nil, err
	}
	d.markNew(lockFile)
	unlock, err := lockDir(d.path)
	if err != nil {
		d.created = nil // the folder is another instance's
		d.discard()
		return nil, err
	}
	d.unlock = unlock
	return d, nil
}

// mkdir creates dir and the parents it lacks, remembering the topmost one
// it created.
func (d *dataDir) mkdir(dir string) error {
	top := ""
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		top = p
		if filepath.Dir(p) == p {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	if top != "" {
		d.created = append(d.created, top)
	}
	return nil
}

// sub returns the path of a service's folder inside the data folder.
func (d *dataDir) sub(name string) string { return filepath.Join(d.path, name) }

// markNew records files that do not exist yet, so discard removes them if
// the start fails after creating them.
func (d *dataDir) markNew(names ...string) {
	for _, n := range names {
		p := d.sub(n)
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			d.created = append(d.created, p)
		}
	}
}

// discard undoes a failed start: it removes what this start created (all of
// it in memory) and releases the lock.
func (d *dataDir) discard() {
	if d.temp {
		d.close()
		return
	}
	for i := len(d.created) - 1; i >= 0; i-- {
		_ = os.RemoveAll(d.created[i])
	}
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
}

// close releases the lock and removes a temporary folder.
func (d *dataDir) close() {
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
	if d.temp {
		_ = os.RemoveAll(d.path)
	}
}

func openMemDir() (*dataDir, error) {
	base := memBase()
	sweepMemDirs(base)
	if base != os.TempDir() {
		sweepMemDirs(os.TempDir())
	}
	p, err := os.MkdirTemp(base, memDirPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("in-memory folder: %w", err)
	}
	d := &dataDir{path: p, temp: true}
	unlock, err := lockDir(p)
	if err != nil {
		_ = os.RemoveAll(p)
		return nil, err
	}
	d.unlock = unlock
	return d, nil
}

// memBase picks where an in-memory instance keeps its storage: /dev/shm
// (RAM-backed) when it exists and has room, else the temp folder.
func memBase() string {
	return pickMemBase("/dev/shm", freeBytes, os.TempDir())
}

// pickMemBase returns shm when it is a folder with minShmFree bytes free
// (as free reports them), else tmp.
func pickMemBase(shm string, free func(string) (uint64, bool), tmp string) string {
	if info, err := os.Stat(shm); err == nil && info.IsDir() {
		if n, ok := free(shm); ok && n >= minShmFree {
			return shm
		}
	}
	return tmp
}

// sweepMemDirs removes the in-memory folders in base whose instance is gone:
// those whose lock nobody holds (a killed process's lock dies with it).
func sweepMemDirs(base string) {
	if !locksWork {
		return
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, ent := range entries {
		if !ent.IsDir() || !strings.HasPrefix(ent.Name(), memDirPrefix) {
			continue
		}
		p := filepath.Join(base, ent.Name())
		unlock, err := lockDir(p)
		if err != nil {
			continue // alive, or not ours to judge
		}
		_ = os.RemoveAll(p)
		unlock()
	}
}

// lockHolder reads the pid a lock file names, 0 if none.
func lockHolder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

func inUseError(dir string) error {
	who := "another process"
	if pid := lockHolder(filepath.Join(dir, lockFile)); pid > 0 {
		who = "process " + strconv.Itoa(pid)
	}
	return fmt.Errorf("%w: %s holds %s; stop it, or give this one another --data folder (or --in-memory)",
		ErrDataDirInUse, who, filepath.Join(dir, lockFile))
}
