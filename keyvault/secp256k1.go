package keyvault

import (
	"errors"
	"io"
	"math/big"
)

// A small secp256k1 (P-256K) implementation on math/big, because the standard
// library has no such curve and go.mod allows no library for it. It serves
// ES256K sign/verify for the emulator; it is NOT constant time and must not
// guard real secrets. Points are affine; the point at infinity is (nil, nil).

type k1Curve struct {
	p, n, gx, gy *big.Int
}

func hexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return new(big.Int) // unreachable: constants below are valid hex
	}
	return v
}

func newK1Curve() *k1Curve {
	return &k1Curve{
		p:  hexInt("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"),
		n:  hexInt("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"),
		gx: hexInt("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"),
		gy: hexInt("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"),
	}
}

// k1PrivateKey is a secp256k1 key pair.
type k1PrivateKey struct {
	D, X, Y *big.Int
}

func (c *k1Curve) onCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.p) >= 0 || y.Cmp(c.p) >= 0 {
		return false
	}
	// y² = x³ + 7 (mod p)
	l := new(big.Int).Mul(y, y)
	l.Mod(l, c.p)
	r := new(big.Int).Mul(x, x)
	r.Mul(r, x)
	r.Add(r, big.NewInt(7))
	r.Mod(r, c.p)
	return l.Cmp(r) == 0
}

func (c *k1Curve) add(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	if x1 == nil {
		return x2, y2
	}
	if x2 == nil {
		return x1, y1
	}
	p := c.p
	var lambda *big.Int
	if x1.Cmp(x2) == 0 {
		sum := new(big.Int).Add(y1, y2)
		if sum.Mod(sum, p).Sign() == 0 {
			return nil, nil // P + (-P)
		}
		// doubling: λ = 3x² / 2y
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3))
		den := new(big.Int).Lsh(y1, 1)
		den.ModInverse(den.Mod(den, p), p)
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := new(big.Int).Sub(x2, x1)
		den.Mod(den, p)
		den.ModInverse(den, p)
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, x1)
	x3.Sub(x3, x2)
	x3.Mod(x3, p)
	y3 := new(big.Int).Sub(x1, x3)
	y3.Mul(y3, lambda)
	y3.Sub(y3, y1)
	y3.Mod(y3, p)
	return x3, y3
}

func (c *k1Curve) mul(x, y, k *big.Int) (*big.Int, *big.Int) {
	var rx, ry *big.Int
	for i := k.BitLen() - 1; i >= 0; i-- {
		rx, ry = c.add(rx, ry, rx, ry)
		if k.Bit(i) == 1 {
			rx, ry = c.add(rx, ry, x, y)
		}
	}
	return rx, ry
}

// randScalar returns a uniform scalar in [1, n-1].
func (c *k1Curve) randScalar(rand io.Reader) (*big.Int, error) {
	buf := make([]byte, 32)
	for range 100 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, err
		}
		k := new(big.Int).SetBytes(buf)
		if k.Sign() > 0 && k.Cmp(c.n) < 0 {
			return k, nil
		}
	}
	return nil, errors.New("secp256k1: no scalar found")
}

func (c *k1Curve) generate(rand io.Reader) (*k1PrivateKey, error) {
	d, err := c.randScalar(rand)
	if err != nil {
		return nil, err
	}
	x, y := c.mul(c.gx, c.gy, d)
	return &k1PrivateKey{D: d, X: x, Y: y}, nil
}

// fromD rebuilds a key from its scalar and checks it matches (x, y) when given.
func (c *k1Curve) fromD(d []byte, x, y []byte) (*k1PrivateKey, error) {
	dd := new(big.Int).SetBytes(d)
	if dd.Sign() == 0 || dd.Cmp(c.n) >= 0 {
		return nil, errors.New("invalid private scalar")
	}
	px, py := c.mul(c.gx, c.gy, dd)
	if x != nil && (px.Cmp(new(big.Int).SetBytes(x)) != 0 || py.Cmp(new(big.Int).SetBytes(y)) != 0) {
		return nil, errors.New("public key does not match the private key")
	}
	return &k1PrivateKey{D: dd, X: px, Y: py}, nil
}

// sign returns r||s (32 bytes each) over a 32-byte digest, with low s.
func (c *k1Curve) sign(rand io.Reader, k *k1PrivateKey, digest []byte) ([]byte, error) {
	e := new(big.Int).SetBytes(digest)
	for range 100 {
		kk, err := c.randScalar(rand)
		if err != nil {
			return nil, err
		}
		rx, _ := c.mul(c.gx, c.gy, kk)
		r := new(big.Int).Mod(rx, c.n)
		if r.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(r, k.D)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(kk, c.n))
		s.Mod(s, c.n)
		if s.Sign() == 0 {
			continue
		}
		if s.Cmp(new(big.Int).Rsh(c.n, 1)) > 0 {
			s.Sub(c.n, s)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out, nil
	}
	return nil, errors.New("secp256k1: signing failed")
}

func (c *k1Curve) verify(x, y *big.Int, digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(c.n) >= 0 || s.Cmp(c.n) >= 0 {
		return false
	}
	e := new(big.Int).SetBytes(digest)
	w := new(big.Int).ModInverse(s, c.n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, c.n)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, c.n)
	x1, y1 := c.mul(c.gx, c.gy, u1)
	x2, y2 := c.mul(x, y, u2)
	X, _ := c.add(x1, y1, x2, y2)
	if X == nil {
		return false
	}
	return new(big.Int).Mod(X, c.n).Cmp(r) == 0
}
