package keyvault

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// CertificatePolicy is a certificate's management policy, in the wire shape
// of Key Vault's CertificatePolicy (certificates.json), so kvapi decodes
// into it and the policy round-trips as given. Times are unix seconds.
type CertificatePolicy struct {
	KeyProps        *CertKeyProps        `json:"key_props,omitempty"`
	SecretProps     *CertSecretProps     `json:"secret_props,omitempty"`
	X509Props       *X509Props           `json:"x509_props,omitempty"`
	LifetimeActions []CertLifetimeAction `json:"lifetime_actions,omitempty"`
	Issuer          *IssuerParams        `json:"issuer,omitempty"`
	Attributes      *PolicyAttributes    `json:"attributes,omitempty"`
}

// CertKeyProps are the properties of a certificate's key.
type CertKeyProps struct {
	Exportable *bool  `json:"exportable,omitempty"`
	Kty        string `json:"kty,omitempty"`
	KeySize    int    `json:"key_size,omitempty"`
	ReuseKey   *bool  `json:"reuse_key,omitempty"`
	Curve      string `json:"crv,omitempty"`
}

// CertSecretProps are the properties of a certificate's secret.
type CertSecretProps struct {
	ContentType string `json:"contentType,omitempty"`
}

// X509Props are the X.509 properties of the certificates a policy makes.
type X509Props struct {
	Subject        string   `json:"subject,omitempty"`
	EKUs           []string `json:"ekus,omitempty"`
	SANs           *SANs    `json:"sans,omitempty"`
	KeyUsage       []string `json:"key_usage,omitempty"`
	ValidityMonths int      `json:"validity_months,omitempty"`
}

// SANs are subject alternative names.
type SANs struct {
	Emails      []string `json:"emails,omitempty"`
	DNSNames    []string `json:"dns_names,omitempty"`
	UPNs        []string `json:"upns,omitempty"`
	URIs        []string `json:"uris,omitempty"`
	IPAddresses []string `json:"ipAddresses,omitempty"`
}

// CertLifetimeAction is one trigger/action pair of a certificate policy.
type CertLifetimeAction struct {
	Trigger struct {
		LifetimePercentage int `json:"lifetime_percentage,omitempty"`
		DaysBeforeExpiry   int `json:"days_before_expiry,omitempty"`
	} `json:"trigger"`
	Action struct {
		ActionType string `json:"action_type"`
	} `json:"action"`
}

// IssuerParams name the issuer of a policy's certificates.
type IssuerParams struct {
	Name                    string `json:"name,omitempty"`
	CertificateType         string `json:"cty,omitempty"`
	CertificateTransparency *bool  `json:"cert_transparency,omitempty"`
}

// PolicyAttributes are a policy's attributes.
type PolicyAttributes struct {
	Enabled *bool  `json:"enabled,omitempty"`
	Created *int64 `json:"created,omitempty"`
	Updated *int64 `json:"updated,omitempty"`
}

// Issuer names with a meaning of their own.
const (
	IssuerSelf    = "Self"
	IssuerUnknown = "Unknown"
)

// Lifetime action types.
const (
	ActionAutoRenew     = "AutoRenew"
	ActionEmailContacts = "EmailContacts"
)

// keyUsages maps Key Vault's key_usage names to X.509 key usage bits.
var keyUsages = []struct {
	name string
	bit  x509.KeyUsage
}{
	{"digitalSignature", x509.KeyUsageDigitalSignature},
	{"nonRepudiation", x509.KeyUsageContentCommitment},
	{"keyEncipherment", x509.KeyUsageKeyEncipherment},
	{"dataEncipherment", x509.KeyUsageDataEncipherment},
	{"keyAgreement", x509.KeyUsageKeyAgreement},
	{"keyCertSign", x509.KeyUsageCertSign},
	{"cRLSign", x509.KeyUsageCRLSign},
	{"encipherOnly", x509.KeyUsageEncipherOnly},
	{"decipherOnly", x509.KeyUsageDecipherOnly},
}

// ParseCertificatePolicy decodes a policy from JSON (as kvapi receives it)
// and validates it; fuzzed.
func ParseCertificatePolicy(data []byte) (CertificatePolicy, error) {
	var p CertificatePolicy
	if err := json.Unmarshal(data, &p); err != nil {
		return CertificatePolicy{}, badParam("The certificate policy is not valid JSON.")
	}
	p, err := completePolicy(p, true)
	return p, err
}

// clonePolicyJSON deep-copies a policy.
func clonePolicyJSON(p CertificatePolicy) CertificatePolicy {
	data, err := json.Marshal(p)
	if err != nil {
		return p
	}
	var c CertificatePolicy
	if json.Unmarshal(data, &c) != nil {
		return p
	}
	return c
}

// completePolicy validates p and fills Key Vault's defaults: RSA 2048,
// exportable, no key reuse, PKCS#12, 12 months, key usage
// digitalSignature+keyEncipherment (RSA) or digitalSignature (EC), EKUs
// serverAuth+clientAuth, and one lifetime action at 80 % of the lifetime
// (AutoRenew for Self, EmailContacts otherwise). needSubject requires a
// subject or a SAN (create); import takes them from the certificate.
// https://learn.microsoft.com/azure/key-vault/certificates/about-certificates
func completePolicy(in CertificatePolicy, needSubject bool) (CertificatePolicy, error) {
	p := clonePolicyJSON(in)
	if p.KeyProps == nil {
		p.KeyProps = &CertKeyProps{}
	}
	kp := p.KeyProps
	if kp.Kty == "" {
		kp.Kty = KtyRSA
		if kp.Curve != "" {
			kp.Kty = KtyEC
		}
	}
	switch kp.Kty {
	case KtyRSA, KtyRSAHSM:
		if kp.Curve != "" {
			return p, badParam("Property policy.key_props.crv is not valid for key type '%s'.", kp.Kty)
		}
		if kp.KeySize == 0 {
			kp.KeySize = 2048
		}
		if kp.KeySize != 2048 && kp.KeySize != 3072 && kp.KeySize != 4096 {
			return p, badParam("Property policy.key_props.key_size has an invalid value %d: RSA keys are 2048, 3072 or 4096 bits.", kp.KeySize)
		}
	case KtyEC, KtyECHSM:
		if kp.KeySize != 0 {
			return p, badParam("Property policy.key_props.key_size is not valid for key type '%s'.", kp.Kty)
		}
		if kp.Curve == "" {
			kp.Curve = CurveP256
		}
		if kp.Curve != CurveP256 && kp.Curve != CurveP384 && kp.Curve != CurveP521 {
			return p, badParam("Property policy.key_props.crv has an invalid value '%s': certificates take P-256, P-384 or P-521.", kp.Curve)
		}
	default:
		return p, badParam("Property policy.key_props.kty has an invalid value '%s'.", kp.Kty)
	}
	if kp.Exportable == nil {
		kp.Exportable = ptrBool(true)
	}
	if kp.ReuseKey == nil {
		kp.ReuseKey = ptrBool(false)
	}
	if p.SecretProps == nil {
		p.SecretProps = &CertSecretProps{}
	}
	switch p.SecretProps.ContentType {
	case "":
		p.SecretProps.ContentType = ContentTypePKCS12
	case ContentTypePKCS12, ContentTypePEM:
	default:
		return p, badParam("Property policy.secret_props.contentType has an invalid value '%s': use application/x-pkcs12 or application/x-pem-file.", p.SecretProps.ContentType)
	}
	if p.X509Props == nil {
		p.X509Props = &X509Props{}
	}
	x := p.X509Props
	if x.Subject != "" {
		if _, err := parseSubject(x.Subject); err != nil {
			return p, err
		}
	}
	if x.SANs != nil {
		if _, err := sanValues(x.SANs); err != nil {
			return p, err
		}
	}
	if needSubject && x.Subject == "" && sanCount(x.SANs) == 0 {
		return p, badParam("Property policy.x509_props: a subject or at least one subject alternative name is required.")
	}
	if x.ValidityMonths == 0 {
		x.ValidityMonths = 12
	}
	if x.ValidityMonths < 1 || x.ValidityMonths > 1200 {
		return p, badParam("Property policy.x509_props.validity_months has an invalid value %d.", x.ValidityMonths)
	}
	if x.KeyUsage == nil {
		x.KeyUsage = []string{"digitalSignature", "keyEncipherment"}
		if kp.Kty == KtyEC || kp.Kty == KtyECHSM {
			x.KeyUsage = []string{"digitalSignature"}
		}
	}
	if _, err := keyUsageBits(x.KeyUsage); err != nil {
		return p, err
	}
	if x.EKUs == nil {
		x.EKUs = []string{"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}
	}
	for _, e := range x.EKUs {
		if _, err := parseOID(e); err != nil {
			return p, err
		}
	}
	if p.Issuer == nil {
		p.Issuer = &IssuerParams{}
	}
	switch {
	case p.Issuer.Name == "":
		p.Issuer.Name = IssuerUnknown
	case strings.EqualFold(p.Issuer.Name, IssuerSelf):
		p.Issuer.Name = IssuerSelf
	case strings.EqualFold(p.Issuer.Name, IssuerUnknown):
		p.Issuer.Name = IssuerUnknown
	case !ValidKeyName(p.Issuer.Name):
		return p, badParam("Property policy.issuer.name has an invalid value '%s'.", p.Issuer.Name)
	}
	if p.LifetimeActions == nil {
		la := CertLifetimeAction{}
		la.Trigger.LifetimePercentage = 80
		la.Action.ActionType = ActionEmailContacts
		if p.Issuer.Name == IssuerSelf {
			la.Action.ActionType = ActionAutoRenew
		}
		p.LifetimeActions = []CertLifetimeAction{la}
	}
	if err := checkLifetimeActions(p); err != nil {
		return p, err
	}
	if p.Attributes == nil {
		p.Attributes = &PolicyAttributes{}
	}
	if p.Attributes.Enabled == nil {
		p.Attributes.Enabled = ptrBool(true)
	}
	return p, nil
}

func checkLifetimeActions(p CertificatePolicy) error {
	if len(p.LifetimeActions) > 1 {
		return badParam("Property policy.lifetime_actions: only one lifetime action is allowed.")
	}
	maxDays := p.X509Props.ValidityMonths * 28
	for _, a := range p.LifetimeActions {
		pct, days := a.Trigger.LifetimePercentage, a.Trigger.DaysBeforeExpiry
		switch {
		case pct != 0 && days != 0, pct == 0 && days == 0:
			return badParam("Property policy.lifetime_actions.trigger: exactly one of lifetime_percentage and days_before_expiry is required.")
		case pct < 0 || pct > 99:
			return badParam("Property policy.lifetime_actions.trigger.lifetime_percentage must be between 1 and 99.")
		case days < 0 || days >= maxDays:
			return badParam("Property policy.lifetime_actions.trigger.days_before_expiry must be between 1 and %d for a validity of %d months.", maxDays-1, p.X509Props.ValidityMonths)
		}
		switch a.Action.ActionType {
		case ActionEmailContacts:
		case ActionAutoRenew:
			if p.Issuer.Name == IssuerUnknown {
				return badParam("Property policy.lifetime_actions: AutoRenew is not supported for certificates of issuer Unknown.")
			}
		default:
			return badParam("Property policy.lifetime_actions.action.action_type has an invalid value '%s'.", a.Action.ActionType)
		}
	}
	return nil
}

func ptrBool(b bool) *bool { return &b }

func keyUsageBits(names []string) (x509.KeyUsage, error) {
	var ku x509.KeyUsage
	for _, n := range names {
		found := false
		for _, k := range keyUsages {
			if strings.EqualFold(n, k.name) {
				ku |= k.bit
				found = true
			}
		}
		if !found {
			return 0, badParam("Property policy.x509_props.key_usage has an invalid value '%s'.", n)
		}
	}
	return ku, nil
}

// keyUsageNames names the bits of ku as Key Vault does.
func keyUsageNames(ku x509.KeyUsage) []string {
	var out []string
	for _, k := range keyUsages {
		if ku&k.bit != 0 {
			out = append(out, k.name)
		}
	}
	return out
}

// keyOpsFor maps key usages to the key_ops of a certificate's key:
// digitalSignature and nonRepudiation allow sign/verify; keyEncipherment
// allows wrapKey/unwrapKey and encrypt/decrypt (RSA); dataEncipherment
// encrypt/decrypt (RSA).
func keyOpsFor(ku x509.KeyUsage, rsaKey bool) []string {
	var ops []string
	add := func(o ...string) {
		for _, x := range o {
			if !contains(ops, x) {
				ops = append(ops, x)
			}
		}
	}
	if ku&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) != 0 {
		add(OpSign, OpVerify)
	}
	if rsaKey && ku&x509.KeyUsageKeyEncipherment != 0 {
		add(OpWrapKey, OpUnwrapKey, OpEncrypt, OpDecrypt)
	}
	if rsaKey && ku&x509.KeyUsageDataEncipherment != 0 {
		add(OpEncrypt, OpDecrypt)
	}
	if ops == nil {
		ops = []string{}
	}
	return ops
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return nil, badParam("Property policy.x509_props.ekus has an invalid value '%s'.", s)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (i == 0 && n > 2) {
			return nil, badParam("Property policy.x509_props.ekus has an invalid value '%s'.", s)
		}
		oid[i] = n
	}
	return oid, nil
}

// subjectAttrs maps the attribute names of a distinguished name string to
// their OIDs.
var subjectAttrs = map[string]asn1.ObjectIdentifier{
	"CN":           {2, 5, 4, 3},
	"SERIALNUMBER": {2, 5, 4, 5},
	"C":            {2, 5, 4, 6},
	"L":            {2, 5, 4, 7},
	"S":            {2, 5, 4, 8},
	"ST":           {2, 5, 4, 8},
	"STREET":       {2, 5, 4, 9},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"T":            {2, 5, 4, 12},
	"TITLE":        {2, 5, 4, 12},
	"G":            {2, 5, 4, 42},
	"SN":           {2, 5, 4, 4},
	"E":            {1, 2, 840, 113549, 1, 9, 1},
	"EMAIL":        {1, 2, 840, 113549, 1, 9, 1},
	"DC":           {0, 9, 2342, 19200300, 100, 1, 25},
	"UID":          {0, 9, 2342, 19200300, 100, 1, 1},
}

// parseSubject parses an X.500 distinguished name as Key Vault takes it
// ("CN=example.com, O=Contoso, C=US"): comma- or semicolon-separated
// attribute=value pairs, values optionally quoted, "\," escaping. It keeps
// the order given.
func parseSubject(dn string) (pkix.Name, error) {
	bad := func() (pkix.Name, error) {
		return pkix.Name{}, badParam("Property policy.x509_props.subject has an invalid value '%s'.", dn)
	}
	var rdns pkix.RDNSequence
	var parts []string
	var cur strings.Builder
	quoted, escaped := false, false
	for _, r := range dn {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case (r == ',' || r == ';') && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if quoted || escaped {
		return bad()
	}
	parts = append(parts, cur.String())
	for _, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToUpper(strings.TrimSpace(k)), strings.TrimSpace(v)
		oid, known := subjectAttrs[k]
		if !ok || !known || v == "" || len(v) > 256 {
			return bad()
		}
		rdns = append(rdns, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}})
	}
	var name pkix.Name
	name.FillFromRDNSequence(&rdns)
	name.ExtraNames = nil
	// Keep the order and every attribute as given.
	for _, rdn := range rdns {
		name.ExtraNames = append(name.ExtraNames, rdn...)
	}
	return name, nil
}

func sanCount(s *SANs) int {
	if s == nil {
		return 0
	}
	return len(s.Emails) + len(s.DNSNames) + len(s.UPNs) + len(s.URIs) + len(s.IPAddresses)
}

// sanSet is a policy's SANs parsed.
type sanSet struct {
	dns, emails, upns []string
	uris              []*url.URL
	ips               []net.IP
}

func sanValues(s *SANs) (sanSet, error) {
	var out sanSet
	if s == nil {
		return out, nil
	}
	bad := func(kind, v string) (sanSet, error) {
		return sanSet{}, badParam("Property policy.x509_props.sans.%s has an invalid value '%s'.", kind, v)
	}
	for _, d := range s.DNSNames {
		if d == "" || len(d) > 253 || strings.ContainsAny(d, " ,/\\@") {
			return bad("dns_names", d)
		}
		out.dns = append(out.dns, d)
	}
	for _, e := range s.Emails {
		if !strings.Contains(e, "@") || strings.ContainsAny(e, " ,") {
			return bad("emails", e)
		}
		out.emails = append(out.emails, e)
	}
	for _, u := range s.UPNs {
		if !strings.Contains(u, "@") || strings.ContainsAny(u, " ,") {
			return bad("upns", u)
		}
		out.upns = append(out.upns, u)
	}
	for _, u := range s.URIs {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme == "" {
			return bad("uris", u)
		}
		out.uris = append(out.uris, pu)
	}
	for _, ip := range s.IPAddresses {
		pip := net.ParseIP(ip)
		if pip == nil {
			return bad("ipAddresses", ip)
		}
		out.ips = append(out.ips, pip)
	}
	return out, nil
}
