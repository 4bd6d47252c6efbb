package queue

import (
	"bytes"
	"testing"
)

// FuzzUnmarshalMsg: a message record of any bytes decodes or fails, never
// panics, and what decodes marshals back to the same bytes.
func FuzzUnmarshalMsg(f *testing.F) {
	m := &msgRec{inserted: 1, expires: neverNS, visible: 2, dequeues: 3, seq: 4, sealed: []byte("sealed")}
	f.Add(m.marshal())
	f.Add([]byte{msgRecVersion})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := unmarshalMsg(b)
		if err != nil {
			return
		}
		if !bytes.Equal(m.marshal(), b) {
			t.Fatalf("round trip changed the record")
		}
	})
}

// FuzzParseIDs: message ids and pop receipts come from the request URL.
func FuzzParseIDs(f *testing.F) {
	f.Add(newMsgID().String())
	f.Add(formatReceipt(randomBytes(receiptSize)))
	f.Add("00000000-0000-0000-0000-00000000000g")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := parseMsgID(s); ok {
			if back, ok2 := parseMsgID(id.String()); !ok2 || back != id {
				t.Fatalf("id %q does not round-trip", s)
			}
		}
		if r, ok := parseReceipt(s); ok && len(r) != receiptSize {
			t.Fatalf("receipt of %d bytes", len(r))
		}
		_ = ValidQueueName(s)
	})
}
