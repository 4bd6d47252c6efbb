package sealed

import (
	"os"
	"sync"

	"github.com/azemu/azemu/crypto"
)

// Pin keeps the data files of the extents a reader loaded from removal
// until Release, so a reader stays valid while the object it reads is
// overwritten or deleted.
type Pin struct {
	s     *Store
	files []crypto.FileID
	once  sync.Once

	mu      sync.Mutex
	readers []*Reader
}

// Pin runs load, a metadata read that returns the extents the caller will
// read, with file removal held off, and pins the files of those extents.
// When load fails nothing is pinned and its error is returned. The caller
// MUST Release the pin.
func (s *Store) Pin(load func() ([]Extent, error)) (*Pin, error) {
	s.gcMu.RLock()
	defer s.gcMu.RUnlock()
	exts, err := load()
	if err != nil {
		return nil, err
	}
	p := &Pin{s: s, files: Files(exts)}
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	for _, id := range p.files {
		s.pins[id]++
	}
	return p, nil
}

// Reader opens exts (a subset of what the pin covers) as one decrypting
// io.ReaderAt under key. It is closed by Release.
func (p *Pin) Reader(key Key, exts []Extent) *Reader {
	r := newReader(p.s, key.AEK, exts)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.readers = append(p.readers, r)
	return r
}

// Release closes the pin's readers and drops its pins, removing the files
// that were doomed meanwhile. It is idempotent.
func (p *Pin) Release() {
	p.once.Do(func() {
		p.mu.Lock()
		rs := p.readers
		p.readers = nil
		p.mu.Unlock()
		for _, r := range rs {
			r.close()
		}
		for _, id := range p.s.unpin(p.files) {
			_ = os.Remove(p.s.Path(id))
		}
	})
}

// unpin drops one pin of each file and returns the doomed files no
// reader holds any more.
func (s *Store) unpin(ids []crypto.FileID) []crypto.FileID {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	var now []crypto.FileID
	for _, id := range ids {
		s.pins[id]--
		if s.pins[id] <= 0 {
			delete(s.pins, id)
			if s.doomed[id] {
				delete(s.doomed, id)
				now = append(now, id)
			}
		}
	}
	return now
}

// idle returns the files neither being written nor read.
func (s *Store) idle(ids []crypto.FileID) []crypto.FileID {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	var out []crypto.FileID
	for _, id := range ids {
		if !s.inflight[id] && s.pins[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}
