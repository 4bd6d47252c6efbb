package storagehttp

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// Signed identifiers (stored access policies) of Get/Set Container ACL and
// Get/Set Share ACL: one XML shape for both services.

// XMLSignedIdentifiers is the <SignedIdentifiers> body.
type XMLSignedIdentifiers struct {
	XMLName     xml.Name              `xml:"SignedIdentifiers"`
	Identifiers []XMLSignedIdentifier `xml:"SignedIdentifier"`
}

// XMLSignedIdentifier is one <SignedIdentifier>.
type XMLSignedIdentifier struct {
	ID           string          `xml:"Id"`
	AccessPolicy XMLAccessPolicy `xml:"AccessPolicy"`
}

// XMLAccessPolicy is an <AccessPolicy>; times are ISO 8601.
type XMLAccessPolicy struct {
	Start      string `xml:"Start,omitempty"`
	Expiry     string `xml:"Expiry,omitempty"`
	Permission string `xml:"Permission,omitempty"`
}

// ACLRules are where the services' Set ACL bodies are checked differently.
type ACLRules struct {
	// RequireID refuses a signed identifier without an Id
	// (InvalidXmlDocument), as the Blob service does.
	RequireID bool
	// Permissions, when set, lists the letters a policy may grant; the
	// Permission element is checked as sent (InvalidXmlNodeValue) and kept
	// verbatim. When empty, any permission is kept with spaces trimmed.
	Permissions string
	// NodeValueDetail adds XmlNodeValue to InvalidXmlNodeValue errors.
	NodeValueDetail bool
}

// ParseSignedIdentifiers decodes a Set Container ACL / Set Share ACL body;
// an empty body clears the policies (nil, nil).
func ParseSignedIdentifiers(b []byte, rules ACLRules) ([]blobstore.SignedIdentifier, error) {
	var x XMLSignedIdentifiers
	empty, err := UnmarshalXML(b, &x)
	if err != nil || empty {
		return nil, err
	}
	invalid := func(node, value string) error {
		e := storageerr.ErrInvalidXMLNodeValue.WithDetail("XmlNodeName", node)
		if rules.NodeValueDetail {
			e = e.WithDetail("XmlNodeValue", value)
		}
		return e
	}
	out := make([]blobstore.SignedIdentifier, 0, len(x.Identifiers))
	for _, si := range x.Identifiers {
		if rules.RequireID && si.ID == "" {
			return nil, storageerr.ErrInvalidXMLDocument
		}
		var p blobstore.AccessPolicy
		if v := strings.TrimSpace(si.AccessPolicy.Start); v != "" {
			t, ok := ParseISO(v)
			if !ok {
				return nil, invalid("Start", v)
			}
			p.Start = t
		}
		if v := strings.TrimSpace(si.AccessPolicy.Expiry); v != "" {
			t, ok := ParseISO(v)
			if !ok {
				return nil, invalid("Expiry", v)
			}
			p.Expiry = t
		}
		p.Permission = strings.TrimSpace(si.AccessPolicy.Permission)
		if rules.Permissions != "" {
			p.Permission = si.AccessPolicy.Permission
			for _, c := range p.Permission {
				if !strings.ContainsRune(rules.Permissions, c) {
					return nil, invalid("Permission", p.Permission)
				}
			}
		}
		out = append(out, blobstore.SignedIdentifier{ID: si.ID, Policy: p})
	}
	return out, nil
}

// SignedIdentifiersXML renders stored access policies for Get Container ACL
// and Get Share ACL (an empty <SignedIdentifiers/> when there are none).
func SignedIdentifiersXML(ids []blobstore.SignedIdentifier) XMLSignedIdentifiers {
	x := XMLSignedIdentifiers{Identifiers: []XMLSignedIdentifier{}}
	for _, si := range ids {
		ap := XMLAccessPolicy{Permission: si.Policy.Permission}
		if !si.Policy.Start.IsZero() {
			ap.Start = FormatISO(si.Policy.Start)
		}
		if !si.Policy.Expiry.IsZero() {
			ap.Expiry = FormatISO(si.Policy.Expiry)
		}
		x.Identifiers = append(x.Identifiers, XMLSignedIdentifier{ID: si.ID, AccessPolicy: ap})
	}
	return x
}

// WriteSignedIdentifiers answers Get Container ACL / Get Share ACL once the
// headers are set: the policies as XML for GET, no body for HEAD.
func WriteSignedIdentifiers(w http.ResponseWriter, r *http.Request, ids []blobstore.SignedIdentifier) error {
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return WriteXML(w, http.StatusOK, SignedIdentifiersXML(ids))
}
