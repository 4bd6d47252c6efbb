package storagehttp

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failingReaderAt fails reads at or beyond failAt.
type failingReaderAt struct {
	data   []byte
	failAt int64
}

var errBroken = errors.New("broken chunk")

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.failAt {
		return 0, errBroken
	}
	return bytes.NewReader(f.data).ReadAt(p, off)
}

type failingWriter struct{ after int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, io.ErrClosedPipe
	}
	f.after--
	return len(p), nil
}

func TestStreamCopiesEveryByteOnce(t *testing.T) {
	var p BufferPool
	data := make([]byte, 5*CopyBufferSize+123)
	rng := rand.NewChaCha8([32]byte{7})
	_, _ = rng.Read(data)
	src := bytes.NewReader(data)
	for _, c := range []struct{ off, n int64 }{
		{0, 0}, {0, 1}, {0, 2 * CopyBufferSize}, {0, 2*CopyBufferSize + 1},
		{0, int64(len(data))}, {17, int64(len(data)) - 17}, {CopyBufferSize - 1, 3*CopyBufferSize + 2},
	} {
		var out bytes.Buffer
		n, err := p.Stream(&out, src, c.off, c.n)
		require.NoError(t, err)
		assert.Equal(t, c.n, n)
		assert.True(t, bytes.Equal(data[c.off:c.off+c.n], out.Bytes()), "off %d n %d", c.off, c.n)
	}
}

func TestStreamStopsOnReadAndWriteErrors(t *testing.T) {
	var p BufferPool
	data := make([]byte, 6*CopyBufferSize)
	var out bytes.Buffer
	n, err := p.Stream(&out, failingReaderAt{data, 3 * CopyBufferSize}, 0, int64(len(data)))
	assert.ErrorIs(t, err, errBroken)
	assert.Equal(t, int64(3*CopyBufferSize), n, "the bytes before the failed read are written, none after")

	n, err = p.Stream(&failingWriter{after: 1}, bytes.NewReader(data), 0, int64(len(data)))
	assert.ErrorIs(t, err, io.ErrClosedPipe)
	assert.Equal(t, int64(CopyBufferSize), n)
}
