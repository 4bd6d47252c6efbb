package keyvault

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// Content types of a certificate's secret.
const (
	ContentTypePKCS12 = "application/x-pkcs12"
	ContentTypePEM    = "application/x-pem-file"
)

// ConvertCertificateSecret answers Get Secret's outContentType: the secret
// of a certificate stored as PKCS#12 is returned as PEM (private key, then
// the chain) when out asks for PEM; asking for the format the secret already
// has returns it unchanged. Key Vault converts only PFX to PEM; anything else
// answers 400 BadParameter.
func ConvertCertificateSecret(b SecretBundle, out string) (SecretBundle, error) {
	if strings.EqualFold(b.ContentType, out) {
		return b, nil
	}
	if !b.Managed || b.ContentType != ContentTypePKCS12 || out != ContentTypePEM {
		return SecretBundle{}, badParam("The secret cannot be converted from '%s' to '%s'; only certificate secrets in PKCS#12 (PFX) convert to PEM.", b.ContentType, out)
	}
	der, err := base64.StdEncoding.DecodeString(b.Value)
	if err != nil {
		return SecretBundle{}, ErrInternal
	}
	pemText, err := pkcs12ToPEM(der, "")
	if err != nil {
		return SecretBundle{}, ErrInternal
	}
	b.Value, b.ContentType = pemText, ContentTypePEM
	return b, nil
}

// pkcs12ToPEM renders a PKCS#12 file as PEM: the private key (PKCS#8, when
// the file holds one) followed by the leaf certificate and its chain.
func pkcs12ToPEM(pfx []byte, password string) (string, error) {
	key, leaf, chain, err := pkcs12.DecodeChain(pfx, password)
	if err != nil {
		// A non-exportable certificate's secret holds certificates only.
		certs, terr := pkcs12.DecodeTrustStore(pfx, password)
		if terr != nil || len(certs) == 0 {
			return "", err
		}
		key, leaf, chain = nil, certs[0], certs[1:]
	}
	var sb strings.Builder
	if key != nil {
		k, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", err
		}
		sb.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k}))
		clear(k)
	}
	for _, c := range append([]*x509.Certificate{leaf}, chain...) {
		sb.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return sb.String(), nil
}
