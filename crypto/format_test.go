package crypto

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Inputs of the golden vectors. They must never change: the vectors pin the
// version 1 formats, and every later azemu must still read them.
var (
	goldenAEK = Key{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
	goldenID  = FileID{0xf1, 0x1e}
	goldenKID = KeyID{'k', 'i', 'd'}
)

const (
	goldenFilePlaintext = "azemu golden vector, format v1"
	// goldenFileV1 is a version 1 data file of goldenFilePlaintext, salt = fixedRand.
	goldenFileV1 = "415a454601000000000100006b6964000000000000000000000000005a5b58595e5f5c5d52535051565754554a4b48494e4f4c4d424340414647444500000000" +
		"41918f687f2d180fab65dc7bd7bb10f881f9f880399623118b00ab746aac6db663ef2166da58bd0f1b7470c33b6e"
	goldenSealPlaintext = "azemu sealed v1"
	goldenSealAAD       = "aad"
	// goldenSealV1 is Seal version 1 of goldenSealPlaintext, nonce = fixedRand.
	goldenSealV1 = "015a5b58595e5f5c5d525350518e429746b75e30e59717c51c788a333fd0438dc956f9782fa51ed749e26368"
)

func TestGoldenVectorsV1StillRead(t *testing.T) {
	file, err := hex.DecodeString(goldenFileV1)
	require.NoError(t, err)
	r, err := NewReader(bytes.NewReader(file), int64(len(file)), goldenAEK, goldenID)
	require.NoError(t, err)
	got, err := io.ReadAll(io.NewSectionReader(r, 0, r.Size()))
	require.NoError(t, err)
	assert.Equal(t, goldenFilePlaintext, string(got))
	assert.Equal(t, goldenKID, r.Header().KeyID)

	sealed, err := hex.DecodeString(goldenSealV1)
	require.NoError(t, err)
	pt, err := Open(goldenAEK, sealed, []byte(goldenSealAAD))
	require.NoError(t, err)
	assert.Equal(t, goldenSealPlaintext, string(pt))
}

// TestWriterStillWritesGoldenV1 fails when the writer's output changes. If
// that is intended, it is a new format version: add it beside version 1 and
// keep TestGoldenVectorsV1StillRead as it is.
func TestWriterStillWritesGoldenV1(t *testing.T) {
	var buf bytes.Buffer
	w, err := newWriter(&buf, goldenAEK, goldenKID, goldenID, fixedRand{})
	require.NoError(t, err)
	_, err = w.Write([]byte(goldenFilePlaintext))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	assert.Equal(t, goldenFileV1, hex.EncodeToString(buf.Bytes()))

	s, err := seal(goldenAEK, []byte(goldenSealPlaintext), []byte(goldenSealAAD), fixedRand{})
	require.NoError(t, err)
	assert.Equal(t, goldenSealV1, hex.EncodeToString(s))
}

// TestFormatV1MatchesSpec decodes a multi-chunk file with an independent
// implementation of the layout doc.go describes, using only the standard
// library, so the documentation and the code cannot drift apart.
func TestFormatV1MatchesSpec(t *testing.T) {
	aek := mustKey(t)
	id := mustFileID(t)
	kid := KeyID{9, 8, 7}
	pt := randBytes(t, 2*65536+5)
	var buf bytes.Buffer
	w, err := NewWriter(&buf, aek, kid, id)
	require.NoError(t, err)
	_, err = w.Write(pt)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	file := buf.Bytes()

	// Header.
	require.Len(t, file, 64+len(pt)+3*16)
	hdr := file[:64]
	assert.Equal(t, []byte("AZEF"), hdr[0:4])
	assert.Equal(t, byte(1), hdr[4])
	assert.Equal(t, []byte{0, 0, 0}, hdr[5:8])
	assert.Equal(t, uint32(65536), binary.BigEndian.Uint32(hdr[8:12]))
	assert.Equal(t, kid[:], hdr[12:28])
	salt := hdr[28:60]
	assert.Equal(t, []byte{0, 0, 0, 0}, hdr[60:64])

	// Data key.
	info := "azemu data-file key" + "\x01" + string(id[:])
	dk, err := hkdf.Key(sha256.New, aek[:], salt, info, 32)
	require.NoError(t, err)
	block, err := aes.NewCipher(dk)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	aad := append(bytes.Clone(hdr), id[:]...)

	// Chunks: 65536 + 65536 + 5 plaintext bytes, each followed by its tag.
	var got []byte
	lens := []int{65536, 65536, 5}
	off := 64
	for i, n := range lens {
		nonce := make([]byte, 12)
		binary.BigEndian.PutUint64(nonce[3:11], uint64(i))
		if i == len(lens)-1 {
			nonce[11] = 1
		}
		chunk, err := gcm.Open(nil, nonce, file[off:off+n+16], aad)
		require.NoError(t, err, "chunk %d", i)
		got = append(got, chunk...)
		off += n + 16
	}
	assert.Equal(t, len(file), off)
	assert.True(t, bytes.Equal(pt, got))

	// Seal: version || nonce || ciphertext||tag, aad = version || caller aad.
	k := mustKey(t)
	sealed, err := Seal(k, []byte("secret"), []byte("ctx"))
	require.NoError(t, err)
	block, err = aes.NewCipher(k[:])
	require.NoError(t, err)
	gcm, err = cipher.NewGCM(block)
	require.NoError(t, err)
	opened, err := gcm.Open(nil, sealed[1:13], sealed[13:], []byte("\x01ctx"))
	require.NoError(t, err)
	assert.Equal(t, "secret", string(opened))
}
