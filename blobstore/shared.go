package blobstore

import (
	"strconv"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// DefaultMaxResults is the page size of a listing without maxresults, and
// the largest one Azure allows.
const DefaultMaxResults = 5000

// ValidContainerName applies (to containers, and to shares, whose names
// follow the same rules) Azure's rules: 3-63 characters of lowercase
// letters, digits and hyphens, starting and ending with a letter or digit,
// no consecutive hyphens; plus the special names $root, $logs and $web.
func ValidContainerName(n string) bool {
	switch n {
	case "$root", "$logs", "$web":
		return true
	}
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(n)-1 || n[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// FindPolicy returns the access policy of the signed identifier id in acl.
func FindPolicy(acl []SignedIdentifier, id string) (AccessPolicy, bool) {
	for _, si := range acl {
		if si.ID == id {
			return si.Policy, true
		}
	}
	return AccessPolicy{}, false
}

// MaxResults checks a maxresults query value: negative is
// OutOfRangeQueryParameterValue, 0 or over DefaultMaxResults means
// DefaultMaxResults.
func MaxResults(n int) (int, error) {
	switch {
	case n < 0:
		return 0, storageerr.ErrOutOfRangeQueryParameterValue.WithDetail("QueryParameterName", "maxresults").WithDetail("QueryParameterValue", strconv.Itoa(n))
	case n == 0 || n > DefaultMaxResults:
		return DefaultMaxResults, nil
	}
	return n, nil
}

// SnapshotLayout is how Azure prints snapshot ids.
const SnapshotLayout = "2006-01-02T15:04:05.0000000Z"
