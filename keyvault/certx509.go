package keyvault

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// The X.509 side of certificates: making self-signed certificates and CSRs
// from a policy, parsing what clients import or merge, and rendering a
// certificate's secret (PKCS#12 or PEM).

var (
	oidSAN    = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidUPN    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}
	oidKU     = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidEKU    = asn1.ObjectIdentifier{2, 5, 29, 37}
	knownEKUs = map[string]x509.ExtKeyUsage{
		"1.3.6.1.5.5.7.3.1": x509.ExtKeyUsageServerAuth,
		"1.3.6.1.5.5.7.3.2": x509.ExtKeyUsageClientAuth,
		"1.3.6.1.5.5.7.3.3": x509.ExtKeyUsageCodeSigning,
		"1.3.6.1.5.5.7.3.4": x509.ExtKeyUsageEmailProtection,
		"1.3.6.1.5.5.7.3.8": x509.ExtKeyUsageTimeStamping,
		"1.3.6.1.5.5.7.3.9": x509.ExtKeyUsageOCSPSigning,
	}
)

// signerOf returns the crypto.Signer of a certificate key pair.
func signerOf(kp keyPair) (crypto.Signer, error) {
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	}
	return nil, badParam("The key type is not supported for certificates.")
}

func sigAlgFor(kp keyPair) x509.SignatureAlgorithm {
	if k, ok := kp.(*ecdsa.PrivateKey); ok {
		switch k.Curve {
		case elliptic.P384():
			return x509.ECDSAWithSHA384
		case elliptic.P521():
			return x509.ECDSAWithSHA512
		}
		return x509.ECDSAWithSHA256
	}
	return x509.SHA256WithRSA
}

// sanExtension encodes the SAN extension by hand when UPNs are asked for
// (Go's x509 has no otherName); nil otherwise (the template's fields do).
func sanExtension(s sanSet) (*pkix.Extension, error) {
	if len(s.upns) == 0 {
		return nil, nil
	}
	var names []asn1.RawValue
	for _, e := range s.emails {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte(e)})
	}
	for _, d := range s.dns {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(d)})
	}
	for _, u := range s.uris {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(u.String())})
	}
	for _, ip := range s.ips {
		b := ip.To4()
		if b == nil {
			b = ip.To16()
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 7, Bytes: b})
	}
	for _, u := range s.upns {
		utf8, err := asn1.MarshalWithParams(u, "utf8")
		if err != nil {
			return nil, err
		}
		val, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: utf8})
		if err != nil {
			return nil, err
		}
		oid, err := asn1.Marshal(oidUPN)
		if err != nil {
			return nil, err
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oid, val...)})
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		return nil, err
	}
	return &pkix.Extension{Id: oidSAN, Value: der}, nil
}

// template builds the certificate (or CSR) fields a policy asks for.
func certTemplate(p CertificatePolicy, serial *big.Int, now time.Time) (*x509.Certificate, error) {
	x := p.X509Props
	subject, err := parseSubject(x.Subject)
	if x.Subject == "" {
		subject, err = pkix.Name{}, nil
	}
	if err != nil {
		return nil, err
	}
	sans, err := sanValues(x.SANs)
	if err != nil {
		return nil, err
	}
	ku, err := keyUsageBits(x.KeyUsage)
	if err != nil {
		return nil, err
	}
	t := &x509.Certificate{
		SerialNumber: serial, Subject: subject,
		NotBefore: now, NotAfter: now.AddDate(0, x.ValidityMonths, 0),
		KeyUsage: ku, DNSNames: sans.dns, EmailAddresses: sans.emails, URIs: sans.uris, IPAddresses: sans.ips,
		BasicConstraintsValid: true,
	}
	for _, e := range x.EKUs {
		if k, ok := knownEKUs[e]; ok {
			t.ExtKeyUsage = append(t.ExtKeyUsage, k)
			continue
		}
		oid, err := parseOID(e)
		if err != nil {
			return nil, err
		}
		t.UnknownExtKeyUsage = append(t.UnknownExtKeyUsage, oid)
	}
	ext, err := sanExtension(sans)
	if err != nil {
		return nil, err
	}
	if ext != nil {
		t.DNSNames, t.EmailAddresses, t.URIs, t.IPAddresses = nil, nil, nil, nil
		t.ExtraExtensions = append(t.ExtraExtensions, *ext)
	}
	return t, nil
}

func randomSerial(r io.Reader) (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	b[0] &= 0x7f
	b[0] |= 0x40 // 127 bits, never zero, never negative
	return new(big.Int).SetBytes(b), nil
}

// selfSign makes a self-signed certificate for kp by policy p.
func selfSign(r io.Reader, p CertificatePolicy, kp keyPair, now time.Time) ([]byte, error) {
	serial, err := randomSerial(r)
	if err != nil {
		return nil, err
	}
	t, err := certTemplate(p, serial, now)
	if err != nil {
		return nil, err
	}
	signer, err := signerOf(kp)
	if err != nil {
		return nil, err
	}
	t.SignatureAlgorithm = sigAlgFor(kp)
	return x509.CreateCertificate(r, t, t, signer.Public(), signer)
}

// makeCSR makes the PKCS#10 request for kp by policy p (issuer Unknown).
func makeCSR(r io.Reader, p CertificatePolicy, kp keyPair) ([]byte, error) {
	t, err := certTemplate(p, big.NewInt(1), time.Time{})
	if err != nil {
		return nil, err
	}
	signer, err := signerOf(kp)
	if err != nil {
		return nil, err
	}
	req := &x509.CertificateRequest{Subject: t.Subject, DNSNames: t.DNSNames, EmailAddresses: t.EmailAddresses,
		URIs: t.URIs, IPAddresses: t.IPAddresses, ExtraExtensions: t.ExtraExtensions, SignatureAlgorithm: sigAlgFor(kp)}
	if kuDER, err := marshalKeyUsage(t.KeyUsage); err == nil && kuDER != nil {
		req.ExtraExtensions = append(req.ExtraExtensions, pkix.Extension{Id: oidKU, Critical: true, Value: kuDER})
	}
	if ekus := ekuOIDs(p.X509Props.EKUs); len(ekus) > 0 {
		if der, err := asn1.Marshal(ekus); err == nil {
			req.ExtraExtensions = append(req.ExtraExtensions, pkix.Extension{Id: oidEKU, Value: der})
		}
	}
	return x509.CreateCertificateRequest(r, req, signer)
}

func ekuOIDs(ekus []string) []asn1.ObjectIdentifier {
	var out []asn1.ObjectIdentifier
	for _, e := range ekus {
		if oid, err := parseOID(e); err == nil {
			out = append(out, oid)
		}
	}
	return out
}

// marshalKeyUsage encodes the key usage bit string as RFC 5280 does.
func marshalKeyUsage(ku x509.KeyUsage) ([]byte, error) {
	if ku == 0 {
		return nil, nil
	}
	var a [2]byte
	a[0] = reverseBits(byte(ku))
	a[1] = reverseBits(byte(ku >> 8))
	l := 1
	if a[1] != 0 {
		l = 2
	}
	bits := a[:l]
	bitLen := l * 8
	for i := 0; i < 8; i++ {
		if bits[l-1]&(1<<uint(i)) != 0 {
			break
		}
		bitLen--
	}
	return asn1.Marshal(asn1.BitString{Bytes: bits, BitLength: bitLen})
}

func reverseBits(b byte) byte {
	var r byte
	for i := 0; i < 8; i++ {
		r = r<<1 | b&1
		b >>= 1
	}
	return r
}

// thumbprint is the X.509 SHA-1 thumbprint Key Vault reports as x5t.
func thumbprint(der []byte) []byte {
	s := sha1.Sum(der)
	return s[:]
}

// sameKey reports whether pub is the public half of kp.
func sameKey(kp keyPair, pub any) bool {
	signer, err := signerOf(kp)
	if err != nil {
		return false
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := signer.Public().(equaler)
	return ok && e.Equal(pub)
}

// certKeyType returns the key type, size and curve of a certificate key.
func certKeyType(kp keyPair) (kty string, size int, crv string, err error) {
	switch k := kp.(type) {
	case *rsa.PrivateKey:
		n := k.N.BitLen()
		if n != 2048 && n != 3072 && n != 4096 {
			return "", 0, "", badParam("The certificate's RSA key has %d bits; Key Vault takes 2048, 3072 or 4096.", n)
		}
		return KtyRSA, n, "", nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return KtyEC, 0, CurveP256, nil
		case elliptic.P384():
			return KtyEC, 0, CurveP384, nil
		case elliptic.P521():
			return KtyEC, 0, CurveP521, nil
		}
	}
	return "", 0, "", badParam("The certificate's key type is not supported; use RSA or EC P-256, P-384, P-521.")
}

// MaxCertificateImportBytes bounds an imported PKCS#12 or PEM document.
const MaxCertificateImportBytes = 256 << 10

// ParseCertificateImport reads an imported certificate: PEM text (private
// key and certificates) or base64 PKCS#12 with password. It returns the
// private key, the leaf and the rest of the chain; fuzzed.
func ParseCertificateImport(value, password string) (keyPair, *x509.Certificate, []*x509.Certificate, error) {
	bad := func(msg string) (keyPair, *x509.Certificate, []*x509.Certificate, error) {
		return nil, nil, nil, badParam("%s", msg)
	}
	if len(value) > MaxCertificateImportBytes {
		return bad("The certificate to import is too large.")
	}
	var key any
	var certs []*x509.Certificate
	if strings.Contains(value, "-----BEGIN") {
		rest := []byte(value)
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			switch b.Type {
			case "CERTIFICATE":
				c, err := x509.ParseCertificate(b.Bytes)
				if err != nil {
					return bad("The PEM certificate could not be parsed.")
				}
				certs = append(certs, c)
			case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
				k, err := parsePEMKey(b)
				clear(b.Bytes)
				if err != nil {
					return bad("The PEM private key could not be parsed (encrypted PEM keys are not supported).")
				}
				key = k
			}
		}
	} else {
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if err != nil {
			return bad("The certificate value is neither PEM nor base64-encoded PKCS#12.")
		}
		k, leaf, chain, err := pkcs12.DecodeChain(der, password)
		clear(der)
		if err != nil {
			return bad("The specified PKCS#12 X509 certificate content can not be read. Please check if certificate is in valid PKCS#12 format.")
		}
		key, certs = k, append([]*x509.Certificate{leaf}, chain...)
	}
	if key == nil {
		return bad("The certificate to import has no private key.")
	}
	if len(certs) == 0 {
		return bad("The certificate to import has no certificate.")
	}
	leaf, chain := orderChain(key, certs)
	if leaf == nil {
		return bad("No certificate of the import matches its private key.")
	}
	return key, leaf, chain, nil
}

func parsePEMKey(b *pem.Block) (any, error) {
	switch b.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(b.Bytes)
	}
	return x509.ParsePKCS8PrivateKey(b.Bytes)
}

// orderChain picks the certificate of key as the leaf; the others follow.
func orderChain(key any, certs []*x509.Certificate) (*x509.Certificate, []*x509.Certificate) {
	for i, c := range certs {
		if sameKey(key, c.PublicKey) {
			rest := append(append([]*x509.Certificate(nil), certs[:i]...), certs[i+1:]...)
			return c, rest
		}
	}
	return nil, nil
}

// ParseMergeChain reads Merge Certificate's x5c: DER certificates, the first
// the one issued for the pending key; fuzzed.
func ParseMergeChain(x5c [][]byte) (*x509.Certificate, []*x509.Certificate, error) {
	if len(x5c) == 0 {
		return nil, nil, badParam("Property x5c is required: the certificate chain to merge.")
	}
	if len(x5c) > 10 {
		return nil, nil, badParam("Property x5c holds too many certificates.")
	}
	var certs []*x509.Certificate
	for _, der := range x5c {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, badParam("Property x5c holds a certificate that cannot be parsed.")
		}
		certs = append(certs, c)
	}
	return certs[0], certs[1:], nil
}

// renderSecret renders a certificate version as its secret value: PKCS#12
// (base64, no password, as Key Vault exports it) or PEM (PKCS#8 key, then
// the chain). Without exportable, the private key is left out.
func renderSecret(contentType string, kp keyPair, leaf []byte, chain [][]byte, exportable bool) ([]byte, error) {
	certs := make([]*x509.Certificate, 0, 1+len(chain))
	for _, der := range append([][]byte{leaf}, chain...) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if contentType == ContentTypePEM {
		var buf bytes.Buffer
		if exportable {
			k, err := x509.MarshalPKCS8PrivateKey(kp)
			if err != nil {
				return nil, err
			}
			_ = pem.Encode(&buf, &pem.Block{Type: "PRIVATE KEY", Bytes: k})
			clear(k)
		}
		for _, c := range certs {
			_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		return buf.Bytes(), nil
	}
	var pfx []byte
	var err error
	if exportable {
		pfx, err = pkcs12.Modern.Encode(kp, certs[0], certs[1:], "")
	} else {
		pfx, err = pkcs12.Modern.EncodeTrustStore(certs, "")
	}
	if err != nil {
		return nil, err
	}
	out := make([]byte, base64.StdEncoding.EncodedLen(len(pfx)))
	base64.StdEncoding.Encode(out, pfx)
	clear(pfx)
	return out, nil
}

// policyFromCertificate derives the x509 and key properties of an imported
// certificate's policy from the certificate itself.
func policyFromCertificate(p CertificatePolicy, leaf *x509.Certificate, kp keyPair) (CertificatePolicy, error) {
	kty, size, crv, err := certKeyType(kp)
	if err != nil {
		return p, err
	}
	if p.KeyProps == nil {
		p.KeyProps = &CertKeyProps{}
	}
	if p.KeyProps.Kty == "" || !strings.HasPrefix(p.KeyProps.Kty, kty) {
		p.KeyProps.Kty = kty
	}
	p.KeyProps.KeySize, p.KeyProps.Curve = size, crv
	if p.X509Props == nil {
		p.X509Props = &X509Props{}
	}
	x := p.X509Props
	x.Subject = leaf.Subject.String()
	if _, err := parseSubject(x.Subject); err != nil {
		x.Subject = ""
		if leaf.Subject.CommonName != "" {
			x.Subject = "CN=" + strings.NewReplacer(",", "\\,", ";", "\\;", "\"", "\\\"").Replace(leaf.Subject.CommonName)
		}
	}
	if len(leaf.DNSNames)+len(leaf.EmailAddresses)+len(leaf.IPAddresses)+len(leaf.URIs) > 0 {
		s := &SANs{DNSNames: leaf.DNSNames, Emails: leaf.EmailAddresses}
		for _, ip := range leaf.IPAddresses {
			s.IPAddresses = append(s.IPAddresses, ip.String())
		}
		for _, u := range leaf.URIs {
			s.URIs = append(s.URIs, u.String())
		}
		x.SANs = s
	}
	if leaf.KeyUsage != 0 {
		x.KeyUsage = keyUsageNames(leaf.KeyUsage)
	}
	if len(leaf.ExtKeyUsage)+len(leaf.UnknownExtKeyUsage) > 0 {
		x.EKUs = nil
		for _, k := range leaf.ExtKeyUsage {
			for s, v := range knownEKUs {
				if v == k {
					x.EKUs = append(x.EKUs, s)
				}
			}
		}
		for _, oid := range leaf.UnknownExtKeyUsage {
			x.EKUs = append(x.EKUs, oid.String())
		}
	}
	months := monthsBetween(leaf.NotBefore, leaf.NotAfter)
	x.ValidityMonths = max(1, min(months, 1200))
	if p.Issuer == nil {
		p.Issuer = &IssuerParams{Name: IssuerUnknown}
	}
	if p.LifetimeActions == nil {
		la := CertLifetimeAction{}
		la.Trigger.LifetimePercentage = 80
		la.Action.ActionType = ActionEmailContacts
		p.LifetimeActions = []CertLifetimeAction{la}
	}
	return completePolicy(p, false)
}

func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return m
}
