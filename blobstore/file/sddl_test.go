package file

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSDDLConversion(t *testing.T) {
	// Azure renders a created SDDL canonically (as azfile's recorded test notes).
	b, err := sddlToBinary("O:S-1-5-32-548G:S-1-5-21-397955417-626881126-188441444-512D:(A;;RPWPCCDCLCSWRCWDWOGA;;;S-1-0-0)")
	require.NoError(t, err)
	s, err := binaryToSDDL(b)
	require.NoError(t, err)
	assert.Equal(t, "O:AOG:S-1-5-21-397955417-626881126-188441444-512D:(A;;CCDCLCSWRPWPRCWDWOGA;;;S-1-0-0)S:NO_ACCESS_CONTROL", s)

	// azfile's sample binary descriptor decodes and encodes back to the same bytes.
	sample, err := base64.StdEncoding.DecodeString("AQAUhGwAAACIAAAAAAAAABQAAAACAFgAAwAAAAAAFAD/AR8AAQEAAAAAAAUSAAAAAAAYAP8BHwABAgAAAAAABSAAAAAgAgAAAAAkAKkAEgABBQAAAAAABRUAAABZUbgXZnJdJWRjOwuMmS4AAQUAAAAAAAUVAAAAoGXPfnhLm1/nfIdwr/1IAQEFAAAAAAAFFQAAAKBlz354S5tf53yHcAECAAA=")
	require.NoError(t, err)
	s, err = binaryToSDDL(sample)
	require.NoError(t, err)
	t.Log(s)
	back, err := sddlToBinary(s)
	require.NoError(t, err)
	s2, err := binaryToSDDL(back)
	require.NoError(t, err)
	assert.Equal(t, s, s2)

	// The default descriptor round-trips; hex rights stay hex.
	b, err = sddlToBinary(defaultSDDL)
	require.NoError(t, err)
	s, err = binaryToSDDL(b)
	require.NoError(t, err)
	assert.Equal(t, "O:SYG:SYD:(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIIOID;GA;;;CO)(A;OICIID;0x1301bf;;;AU)(A;OICIID;0x1200a9;;;BU)S:NO_ACCESS_CONTROL", s)

	for _, bad := range []string{"", "X:SY", "O:nope", "D:(OA;;CC;bf967aba-0de6-11d0-a285-00aa003049e2;;SY)", "D:(A;;ZZ;;;SY)"} {
		_, err := sddlToBinary(bad)
		if bad == "" {
			continue
		}
		assert.ErrorIs(t, err, errSDDLUnsupported, bad)
	}
	for _, bad := range [][]byte{nil, {1, 0}, make([]byte, 20)} {
		_, err := binaryToSDDL(bad)
		assert.Error(t, err)
	}
}

func FuzzBinaryToSDDL(f *testing.F) {
	b, _ := sddlToBinary(defaultSDDL)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := binaryToSDDL(b)
		if err == nil {
			_, _ = sddlToBinary(s)
		}
	})
}
