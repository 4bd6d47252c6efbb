package boltstore

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtentCodec(t *testing.T) {
	off := binary.BigEndian.AppendUint64(nil, 4096)
	for _, e := range []Extent{
		{Off: 4096, Len: 10, File: [16]byte{1}, FileOff: 5},
		{Off: 4096, Len: 3, File: [16]byte{2}, FileOff: 1, Inline: []byte("sealed bytes")},
	} {
		v := EncodeExtent(e)
		got, ok := DecodeExtent(off, v)
		require.True(t, ok)
		assert.Equal(t, e, got)
	}
	// A row written before inline ranges existed is exactly 32 bytes.
	v := EncodeExtent(Extent{Off: 4096, Len: 10, File: [16]byte{1}})
	require.Len(t, v, extentValueSize)
	_, ok := DecodeExtent(off, v[:extentValueSize-1])
	assert.False(t, ok, "a short row is malformed")
}

func FuzzDecodeExtent(f *testing.F) {
	f.Add(binary.BigEndian.AppendUint64(nil, 1), EncodeExtent(Extent{Off: 1, Len: 2, FileOff: 3, Inline: []byte{4}}))
	f.Fuzz(func(t *testing.T, off, v []byte) {
		e, ok := DecodeExtent(off, v)
		if !ok {
			return
		}
		again, ok := DecodeExtent(off, EncodeExtent(e))
		require.True(t, ok)
		assert.Equal(t, e, again)
	})
}
