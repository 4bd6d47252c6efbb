package sealed

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
)

// stallingReader tells reading when a read starts, then waits for release
// before it answers with err (or data).
type stallingReader struct {
	reading chan struct{}
	release chan struct{}
	data    []byte
	err     error
}

func (r *stallingReader) Read(p []byte) (int, error) {
	r.reading <- struct{}{}
	<-r.release
	if len(r.data) > 0 {
		n := copy(p, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

// TestWriteCreatesNoFileBeforeTheFirstBytes: while a body has sent nothing,
// Write holds no data file; a body that fails then leaves none behind.
func TestWriteCreatesNoFileBeforeTheFirstBytes(t *testing.T) {
	s, _, key := newStore(t, 0)
	for _, tc := range []struct {
		name  string
		data  []byte
		size  int64
		err   error
		files int
	}{
		{"abandoned", nil, 100, os.ErrDeadlineExceeded, 0},
		{"arrives", []byte("hello"), 5, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &stallingReader{reading: make(chan struct{}), release: make(chan struct{}), data: tc.data, err: tc.err}
			type result struct {
				w   Written
				err error
			}
			done := make(chan result, 1)
			go func() {
				w, err := s.Write(context.Background(), key, r, WriteOptions{Size: tc.size, Limit: 1 << 20})
				done <- result{w, err}
			}()
			<-r.reading // Write waits on the network
			assert.Zero(t, countFiles(t, s), "no data file while the body has sent nothing")
			close(r.release)
			for range 3 { // let any further reads through
				select {
				case <-r.reading:
				case res := <-done:
					if tc.err != nil {
						assert.True(t, errors.Is(res.err, tc.err), "%v", res.err)
					} else {
						assert.NoError(t, res.err)
						s.Settle(res.w, true)
					}
					assert.Equal(t, tc.files, countFiles(t, s))
					return
				}
			}
			t.Fatal("Write kept reading")
		})
	}
}
