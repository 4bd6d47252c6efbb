package blobapi

import (
	"encoding/base64"
	"encoding/binary"
	"hash"
	"hash/crc64"
	"io"
	"net/http"

	"github.com/azemu/azemu/blobstore"
)

// crc64Poly is the polynomial of Azure Storage's transactional CRC64
// (x-ms-content-crc64), as the SDKs compute it.
const crc64Poly = 0x9A6C9329AC4BC9B5

var errCRC64Mismatch = &blobstore.Error{Status: http.StatusBadRequest, Code: "Crc64Mismatch",
	Message: "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server."}

// crcCheck wraps r.Body so the body's CRC64 is checked against
// x-ms-content-crc64 while it streams (the mismatch surfaces as a read error,
// so the service commits nothing). It returns the header to echo, or "".
func crcCheck(r *http.Request, table *crc64.Table) (string, error) {
	v := r.Header.Get("x-ms-content-crc64")
	if v == "" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) != 8 {
		return "", blobstore.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-content-crc64").WithDetail("HeaderValue", v)
	}
	r.Body = &crcReader{rc: r.Body, h: crc64.New(table), want: binary.LittleEndian.Uint64(b), size: r.ContentLength}
	return v, nil
}

type crcReader struct {
	rc   io.ReadCloser
	h    hash.Hash64
	want uint64
	size int64 // -1 when unknown: checked at EOF only
	read int64
	done bool
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.h.Write(p[:n])
	c.read += int64(n)
	if !c.done && (err == io.EOF || c.size >= 0 && c.read >= c.size) {
		c.done = true
		if c.h.Sum64() != c.want {
			return n, errCRC64Mismatch
		}
	}
	return n, err
}

func (c *crcReader) Close() error { return c.rc.Close() }
