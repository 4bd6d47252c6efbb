package storageauth

import (
	"net/http"
	"time"
)

// SignSharedKey signs r with Shared Key for account under key (the raw
// account key bytes), the way the Azure SDKs do: it sets x-ms-date when the
// request has neither x-ms-date nor Date, then the Authorization header
// "SharedKey <account>:<signature>". The string-to-sign is the verifier's own
// canonical form (StringToSign), so a request this signs is one Authenticate
// accepts. A request with a body must carry its length in ContentLength before
// it is signed.
//
// Reference: https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
func SignSharedKey(r *http.Request, account string, key []byte, now time.Time) {
	if r.Header.Get("X-Ms-Date") == "" && r.Header.Get("Date") == "" {
		r.Header.Set("X-Ms-Date", now.UTC().Format(http.TimeFormat))
	}
	r.Header.Set("Authorization", "SharedKey "+account+":"+sign(key, StringToSign(r, account)))
}
