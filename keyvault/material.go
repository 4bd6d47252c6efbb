package keyvault

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"io"
	"math/big"
	"strings"
)

// Key types and curves as Key Vault spells them.
const (
	KtyRSA    = "RSA"
	KtyRSAHSM = "RSA-HSM"
	KtyEC     = "EC"
	KtyECHSM  = "EC-HSM"
	KtyOct    = "oct"
	KtyOctHSM = "oct-HSM"

	CurveP256  = "P-256"
	CurveP384  = "P-384"
	CurveP521  = "P-521"
	CurveP256K = "P-256K"
)

// Key operations (key_ops) as Key Vault spells them.
const (
	OpEncrypt   = "encrypt"
	OpDecrypt   = "decrypt"
	OpSign      = "sign"
	OpVerify    = "verify"
	OpWrapKey   = "wrapKey"
	OpUnwrapKey = "unwrapKey"
	OpImport    = "import"
	OpExport    = "export"
)

var rsaKeyOps = []string{OpEncrypt, OpDecrypt, OpSign, OpVerify, OpWrapKey, OpUnwrapKey}
var ecKeyOps = []string{OpSign, OpVerify}

// normalizeKeyOps validates key_ops for a key type and spells them as Key
// Vault does; nil means the type's default set.
func normalizeKeyOps(ops []string, rsaKey bool) ([]string, error) {
	allowed := ecKeyOps
	if rsaKey {
		allowed = rsaKeyOps
	}
	if ops == nil {
		return append([]string(nil), allowed...), nil
	}
	out := make([]string, 0, len(ops))
	for _, op := range ops {
		found := ""
		for _, a := range append(append([]string(nil), allowed...), OpImport, OpExport) {
			if strings.EqualFold(op, a) {
				found = a
			}
		}
		if found == "" {
			return nil, badParam("Invalid key operation '%s' for this key type.", op)
		}
		dup := false
		for _, o := range out {
			dup = dup || o == found
		}
		if !dup {
			out = append(out, found)
		}
	}
	return out, nil
}

func isRSA(kty string) bool { return kty == KtyRSA || kty == KtyRSAHSM }

// keyPair is an in-memory private key: *rsa.PrivateKey, *ecdsa.PrivateKey or
// *k1PrivateKey (P-256K).
type keyPair any

// generateKeyPair creates a fresh key for kty (RSA*, EC*) with size/exponent
// or curve already validated.
func generateKeyPair(rand io.Reader, kty string, size, exp int, crv string) (keyPair, error) {
	if isRSA(kty) {
		if exp != 0 && exp != 65537 {
			// Go's generator uses 65537 only.
			return nil, badParam("Unsupported public exponent %d; only 65537 is supported.", exp)
		}
		return rsa.GenerateKey(rand, size)
	}
	switch crv {
	case CurveP256K:
		return newK1Curve().generate(rand)
	default:
		c := stdCurve(crv)
		if c == nil {
			return nil, badParam("Invalid curve '%s'.", crv)
		}
		return ecdsa.GenerateKey(c, rand)
	}
}

func stdCurve(crv string) elliptic.Curve {
	switch crv {
	case CurveP256:
		return elliptic.P256()
	case CurveP384:
		return elliptic.P384()
	case CurveP521:
		return elliptic.P521()
	}
	return nil
}

func curveBytes(crv string) int {
	switch crv {
	case CurveP256, CurveP256K:
		return 32
	case CurveP384:
		return 48
	case CurveP521:
		return 66
	}
	return 0
}

// publicJWK returns the public parts of a key pair.
func publicJWK(kp keyPair) JSONWebKey {
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		return JSONWebKey{Kty: KtyRSA, N: k.N.Bytes(), E: big.NewInt(int64(k.E)).Bytes()}
	case *ecdsa.PrivateKey:
		crv := k.Curve.Params().Name
		n := curveBytes(crv)
		return JSONWebKey{Kty: KtyEC, Crv: crv, X: k.X.FillBytes(make([]byte, n)), Y: k.Y.FillBytes(make([]byte, n))}
	case *k1PrivateKey:
		return JSONWebKey{Kty: KtyEC, Crv: CurveP256K, X: k.X.FillBytes(make([]byte, 32)), Y: k.Y.FillBytes(make([]byte, 32))}
	}
	return JSONWebKey{}
}

// privateJWK returns the full key, used only to seal it at rest or in a backup.
func privateJWK(kp keyPair) JSONWebKey {
	j := publicJWK(kp)
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		j.D, j.P, j.Q = k.D.Bytes(), k.Primes[0].Bytes(), k.Primes[1].Bytes()
		j.DP, j.DQ, j.QI = k.Precomputed.Dp.Bytes(), k.Precomputed.Dq.Bytes(), k.Precomputed.Qinv.Bytes()
	case *ecdsa.PrivateKey:
		j.D = k.D.FillBytes(make([]byte, curveBytes(j.Crv)))
	case *k1PrivateKey:
		j.D = k.D.FillBytes(make([]byte, 32))
	}
	return j
}

// parseJWK validates a private JWK (import, restore, unsealing) and returns
// the key pair and its base key type (RSA or EC). Every length is checked
// before any arithmetic so hostile input stays cheap.
func parseJWK(j JSONWebKey) (keyPair, string, error) {
	switch j.Kty {
	case KtyRSA, KtyRSAHSM:
		return parseRSAJWK(j)
	case KtyEC, KtyECHSM:
		return parseECJWK(j)
	case KtyOct, KtyOctHSM:
		return nil, "", badParam("Key type '%s' is only supported by Managed HSM.", j.Kty)
	case "":
		return nil, "", badParam("The key type (kty) is required.")
	}
	return nil, "", badParam("Invalid key type '%s'.", j.Kty)
}

func parseRSAJWK(j JSONWebKey) (keyPair, string, error) {
	if len(j.KeyHSM) > 0 {
		return nil, "", badParam("Bring-your-own-key (key_hsm) import is not supported.")
	}
	if len(j.N) == 0 || len(j.E) == 0 {
		return nil, "", badParam("RSA key must have n and e.")
	}
	if len(j.D) == 0 || len(j.P) == 0 || len(j.Q) == 0 {
		return nil, "", badParam("RSA key must include the private key parameters d, p and q.")
	}
	n := new(big.Int).SetBytes(j.N)
	if bits := n.BitLen(); bits < 2048 || bits > 4096 {
		return nil, "", badParam("Unsupported RSA key size %d; it must be between 2048 and 4096 bits.", bits)
	}
	if len(j.E) > 4 {
		return nil, "", badParam("Invalid RSA public exponent.")
	}
	e := new(big.Int).SetBytes(j.E)
	if e.Cmp(big.NewInt(3)) < 0 || e.Bit(0) == 0 || e.BitLen() > 31 {
		return nil, "", badParam("Invalid RSA public exponent.")
	}
	max := len(j.N) + 1
	for _, f := range []Base64URL{j.D, j.P, j.Q, j.DP, j.DQ, j.QI} {
		if len(f) > max {
			return nil, "", badParam("Invalid RSA private key parameter length.")
		}
	}
	p, q := new(big.Int).SetBytes(j.P), new(big.Int).SetBytes(j.Q)
	if p.Cmp(big.NewInt(1)) <= 0 || q.Cmp(big.NewInt(1)) <= 0 || new(big.Int).Mul(p, q).Cmp(n) != 0 {
		return nil, "", badParam("RSA key parameters are inconsistent (p*q != n).")
	}
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())},
		D:         new(big.Int).SetBytes(j.D),
		Primes:    []*big.Int{p, q},
	}
	if err := k.Validate(); err != nil {
		return nil, "", badParam("RSA key is invalid.")
	}
	k.Precompute()
	if (len(j.DP) > 0 && new(big.Int).SetBytes(j.DP).Cmp(k.Precomputed.Dp) != 0) ||
		(len(j.DQ) > 0 && new(big.Int).SetBytes(j.DQ).Cmp(k.Precomputed.Dq) != 0) ||
		(len(j.QI) > 0 && new(big.Int).SetBytes(j.QI).Cmp(k.Precomputed.Qinv) != 0) {
		return nil, "", badParam("RSA key CRT parameters are inconsistent.")
	}
	return k, KtyRSA, nil
}

func parseECJWK(j JSONWebKey) (keyPair, string, error) {
	n := curveBytes(j.Crv)
	if n == 0 {
		return nil, "", badParam("Invalid curve '%s'.", j.Crv)
	}
	if len(j.X) == 0 || len(j.Y) == 0 || len(j.X) > n || len(j.Y) > n {
		return nil, "", badParam("EC key must have x and y of %d bytes.", n)
	}
	if len(j.D) == 0 || len(j.D) > n {
		return nil, "", badParam("EC key must include the private key d of %d bytes.", n)
	}
	pad := func(b []byte) []byte { return append(make([]byte, n-len(b)), b...) }
	x, y, d := pad(j.X), pad(j.Y), pad(j.D)
	if j.Crv == CurveP256K {
		c := newK1Curve()
		if !c.onCurve(new(big.Int).SetBytes(x), new(big.Int).SetBytes(y)) {
			return nil, "", badParam("EC public key is not on curve %s.", j.Crv)
		}
		k, err := c.fromD(d, x, y)
		if err != nil {
			return nil, "", badParam("EC key is invalid: %v.", err)
		}
		return k, KtyEC, nil
	}
	k, err := ecdsa.ParseRawPrivateKey(stdCurve(j.Crv), d)
	if err != nil {
		return nil, "", badParam("EC private key is invalid.")
	}
	pub, err := k.PublicKey.Bytes()
	if err != nil || !bytes.Equal(pub, append(append([]byte{4}, x...), y...)) {
		return nil, "", badParam("EC public key does not match the private key.")
	}
	return k, KtyEC, nil
}

// Encryption algorithms (JsonWebKeyEncryptionAlgorithm) for RSA keys.
const (
	AlgRSA15      = "RSA1_5"
	AlgRSAOAEP    = "RSA-OAEP"
	AlgRSAOAEP256 = "RSA-OAEP-256"
)

func oaepHash(alg string) (hash.Hash, bool) {
	switch alg {
	case AlgRSAOAEP:
		return sha1.New(), true
	case AlgRSAOAEP256:
		return sha256.New(), true
	}
	return nil, false
}

func rsaEncrypt(rand io.Reader, kp keyPair, alg string, data []byte) ([]byte, error) {
	k, ok := kp.(*rsa.PrivateKey)
	if !ok {
		return nil, badParam("Algorithm '%s' is not supported by this key type.", alg)
	}
	var out []byte
	var err error
	if alg == AlgRSA15 {
		out, err = rsa.EncryptPKCS1v15(rand, &k.PublicKey, data)
	} else if h, ok := oaepHash(alg); ok {
		out, err = rsa.EncryptOAEP(h, rand, &k.PublicKey, data, nil)
	} else {
		return nil, badParam("Invalid algorithm '%s'.", alg)
	}
	if err != nil {
		return nil, badParam("The plaintext is too long for algorithm '%s' and this key.", alg)
	}
	return out, nil
}

func rsaDecrypt(rand io.Reader, kp keyPair, alg string, data []byte) ([]byte, error) {
	k, ok := kp.(*rsa.PrivateKey)
	if !ok {
		return nil, badParam("Algorithm '%s' is not supported by this key type.", alg)
	}
	if len(data) != k.Size() {
		return nil, badParam("The ciphertext length is invalid for this key.")
	}
	var out []byte
	var err error
	if alg == AlgRSA15 {
		out, err = rsa.DecryptPKCS1v15(rand, k, data)
	} else if h, ok := oaepHash(alg); ok {
		out, err = rsa.DecryptOAEP(h, rand, k, data, nil)
	} else {
		return nil, badParam("Invalid algorithm '%s'.", alg)
	}
	if err != nil {
		return nil, badParam("Decryption failed: the ciphertext is invalid for this key and algorithm.")
	}
	return out, nil
}

// sigAlg describes a signature algorithm.
type sigAlg struct {
	rsa   bool
	pss   bool
	hash  crypto.Hash
	size  int    // digest length
	curve string // EC only
}

var sigAlgs = map[string]sigAlg{
	"RS256":  {rsa: true, hash: crypto.SHA256, size: 32},
	"RS384":  {rsa: true, hash: crypto.SHA384, size: 48},
	"RS512":  {rsa: true, hash: crypto.SHA512, size: 64},
	"PS256":  {rsa: true, pss: true, hash: crypto.SHA256, size: 32},
	"PS384":  {rsa: true, pss: true, hash: crypto.SHA384, size: 48},
	"PS512":  {rsa: true, pss: true, hash: crypto.SHA512, size: 64},
	"ES256":  {curve: CurveP256, size: 32},
	"ES384":  {curve: CurveP384, size: 48},
	"ES512":  {curve: CurveP521, size: 64},
	"ES256K": {curve: CurveP256K, size: 32},
}

// keep the hash packages linked for crypto.Hash.New.
var _ = sha512.New

// lookupSigAlg checks alg against the key and the digest length against alg;
// field names the request property that carried the digest ("value" for
// sign, "digest" for verify) in the error, as Key Vault words it.
func lookupSigAlg(kp keyPair, alg string, digest []byte, field string) (sigAlg, error) {
	a, ok := sigAlgs[alg]
	if !ok {
		return a, badParam("Invalid signature algorithm '%s'.", alg)
	}
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		if !a.rsa {
			return a, badParam("Algorithm '%s' is not supported by an RSA key.", alg)
		}
	case *ecdsa.PrivateKey:
		if a.curve != k.Curve.Params().Name {
			return a, badParam("Algorithm '%s' is not supported by a key on curve %s.", alg, k.Curve.Params().Name)
		}
	case *k1PrivateKey:
		if a.curve != CurveP256K {
			return a, badParam("Algorithm '%s' is not supported by a key on curve P-256K.", alg)
		}
	}
	if len(digest) != a.size {
		return a, badParam("Invalid length of '%s': %d bytes. %s requires %d bytes, encoded with base64url.", field, len(digest), alg, a.size)
	}
	return a, nil
}

func signDigest(rand io.Reader, kp keyPair, alg string, digest []byte) ([]byte, error) {
	a, err := lookupSigAlg(kp, alg, digest, "value")
	if err != nil {
		return nil, err
	}
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		if a.pss {
			return rsa.SignPSS(rand, k, a.hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(nil, k, a.hash, digest)
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand, k, digest)
		if err != nil {
			return nil, err
		}
		n := curveBytes(a.curve)
		out := make([]byte, 2*n)
		r.FillBytes(out[:n])
		s.FillBytes(out[n:])
		return out, nil
	case *k1PrivateKey:
		return newK1Curve().sign(rand, k, digest)
	}
	return nil, badParam("Unsupported key type.")
}

func verifyDigest(kp keyPair, alg string, digest, sig []byte) (bool, error) {
	a, err := lookupSigAlg(kp, alg, digest, "digest")
	if err != nil {
		return false, err
	}
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		if a.pss {
			return rsa.VerifyPSS(&k.PublicKey, a.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil, nil
		}
		return rsa.VerifyPKCS1v15(&k.PublicKey, a.hash, digest, sig) == nil, nil
	case *ecdsa.PrivateKey:
		n := curveBytes(a.curve)
		if len(sig) != 2*n {
			return false, nil
		}
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(&k.PublicKey, digest, r, s), nil
	case *k1PrivateKey:
		return newK1Curve().verify(k.X, k.Y, digest, sig), nil
	}
	return false, badParam("Unsupported key type.")
}
