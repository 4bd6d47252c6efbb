package blobstore

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/azemu/azemu/blobstore/storageerr"
)

// CondKind says how failing conditions are reported.
type CondKind int

const (
	CondRead   CondKind = iota // GET/HEAD: 304 for If-None-Match / If-Modified-Since
	CondWrite                  // 412 for everything
	CondCreate                 // like condWrite, but If-None-Match "*" on an existing blob is 409 BlobAlreadyExists
)

// etagMatches reports whether the If-Match / If-None-Match header value h
// (a comma-separated list of possibly quoted, possibly weak ETags, or "*")
// matches etag.
func etagMatches(h, etag string) bool {
	for _, p := range strings.Split(h, ",") {
		p = strings.TrimSpace(p)
		if p == "*" {
			return true
		}
		p = strings.TrimPrefix(p, "W/")
		p = strings.Trim(p, `"`)
		if p == etag {
			return true
		}
	}
	return false
}

// CheckConditions evaluates c against an object (exists false: absent).
// Dates compare at second granularity, as HTTP dates carry.
func CheckConditions(c Conditions, exists bool, etag string, lastModified time.Time, kind CondKind) error {
	fail := storageerr.ErrConditionNotMet
	lm := lastModified.Truncate(time.Second)
	if c.IfMatch != "" {
		if !exists || !etagMatches(c.IfMatch, etag) {
			return fail
		}
	}
	if !c.IfUnmodifiedSince.IsZero() && exists && lm.After(c.IfUnmodifiedSince) {
		return fail
	}
	if c.IfNoneMatch != "" && exists && etagMatches(c.IfNoneMatch, etag) {
		switch {
		case kind == CondRead:
			return storageerr.ErrNotModified
		case kind == CondCreate && strings.TrimSpace(c.IfNoneMatch) == "*":
			return storageerr.ErrBlobAlreadyExists
		}
		return fail
	}
	if !c.IfModifiedSince.IsZero() && exists && !lm.After(c.IfModifiedSince) {
		if kind == CondRead {
			return storageerr.ErrNotModified
		}
		return fail
	}
	return nil
}

// Effective returns the lease as of now: fixed leases past their end are
// expired, breaking leases past their break time are broken.
func (l Lease) Effective(now time.Time) Lease {
	switch l.State {
	case LeaseStateLeased:
		if !l.Infinite && !now.Before(l.Expires) {
			l.State = LeaseStateExpired
		}
	case LeaseStateBreaking:
		if !now.Before(l.BreakAt) {
			l.State = LeaseStateBroken
		}
	case "":
		l.State = LeaseStateAvailable
	}
	return l
}

// Active reports whether the lease holds (leased or breaking).
func (l Lease) Active() bool {
	return l.State == LeaseStateLeased || l.State == LeaseStateBreaking
}

// Info reports the lease as Azure does.
func (l Lease) Info(now time.Time) LeaseInfo {
	e := l.Effective(now)
	li := LeaseInfo{State: e.State, Status: LeaseStatusUnlocked}
	if e.Active() {
		li.Status = LeaseStatusLocked
	}
	if e.State == LeaseStateLeased {
		li.Duration = LeaseDurationFixed
		if e.Infinite {
			li.Duration = LeaseDurationInfinite
		}
	}
	return li
}

// LeaseErrs are the error values of one kind of object.
type LeaseErrs struct {
	Mismatch, NotPresent *storageerr.Error
}

// CheckLease applies the lease rules of an operation: with required, an
// active lease demands its id (LeaseIdMissing); a given id must match an
// active lease.
func CheckLease(l Lease, now time.Time, id string, required bool, errs LeaseErrs) error {
	e := l.Effective(now)
	if e.Active() {
		if id == "" {
			if required {
				return storageerr.ErrLeaseIDMissing
			}
			return nil
		}
		if !strings.EqualFold(id, e.ID) {
			return errs.Mismatch
		}
		return nil
	}
	if id != "" {
		return errs.NotPresent
	}
	return nil
}

// NewLeaseID returns a fresh lease (or copy) id, a random GUID.
func NewLeaseID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ValidGUID reports whether s is a GUID in its 8-4-4-4-12 hex form (braces
// allowed), as lease ids must be.
func ValidGUID(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

func badLeaseHeader(name, value string) error {
	return storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", name).WithDetail("HeaderValue", value)
}

// checkLeaseHolder checks, for Renew and Release, that o names the lease
// e (the effective lease) holds.
func checkLeaseHolder(o LeaseOptions, e Lease) error {
	if o.LeaseID == "" {
		return storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-lease-id")
	}
	if e.State == LeaseStateAvailable {
		return storageerr.ErrLeaseNotPresentWithLeaseOperation
	}
	if !strings.EqualFold(o.LeaseID, e.ID) {
		return storageerr.ErrLeaseIDMismatchWithLeaseOperation
	}
	return nil
}

// ApplyLease runs a lease action on l (in place) and returns the result's
// lease id and lease time.
func ApplyLease(l *Lease, o LeaseOptions, now time.Time) (LeaseResult, error) {
	e := l.Effective(now)
	var res LeaseResult
	if o.LeaseID != "" && !ValidGUID(o.LeaseID) {
		return res, badLeaseHeader("x-ms-lease-id", o.LeaseID)
	}
	if o.ProposedLeaseID != "" && !ValidGUID(o.ProposedLeaseID) {
		return res, badLeaseHeader("x-ms-proposed-lease-id", o.ProposedLeaseID)
	}
	switch o.Action {
	case LeaseAcquire:
		if o.Duration != -1 && (o.Duration < 15 || o.Duration > 60) {
			return res, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-duration").WithDetail("HeaderValue", fmt.Sprint(o.Duration))
		}
		switch e.State {
		case LeaseStateLeased:
			if o.ProposedLeaseID == "" || !strings.EqualFold(o.ProposedLeaseID, e.ID) {
				return res, storageerr.ErrLeaseAlreadyPresent
			}
		case LeaseStateBreaking:
			if strings.EqualFold(o.ProposedLeaseID, e.ID) {
				return res, storageerr.ErrLeaseIsBreakingAndCannotBeAcquired
			}
			return res, storageerr.ErrLeaseAlreadyPresent
		}
		id := o.ProposedLeaseID
		if id == "" {
			id = NewLeaseID()
		}
		*l = Lease{ID: id, State: LeaseStateLeased, Infinite: o.Duration == -1}
		if !l.Infinite {
			l.Seconds = o.Duration
			l.Expires = now.Add(time.Duration(o.Duration) * time.Second)
		}
		res.LeaseID = id
	case LeaseRenew:
		if err := checkLeaseHolder(o, e); err != nil {
			return res, err
		}
		switch e.State {
		case LeaseStateBreaking, LeaseStateBroken:
			return res, storageerr.ErrLeaseIsBrokenAndCannotBeRenewed
		}
		l.State = LeaseStateLeased
		if !l.Infinite {
			l.Expires = now.Add(time.Duration(l.Seconds) * time.Second)
		}
		res.LeaseID = l.ID
	case LeaseChange:
		if o.LeaseID == "" {
			return res, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-lease-id")
		}
		if o.ProposedLeaseID == "" {
			return res, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-proposed-lease-id")
		}
		switch e.State {
		case LeaseStateLeased:
			if !strings.EqualFold(o.LeaseID, e.ID) && !strings.EqualFold(o.ProposedLeaseID, e.ID) {
				return res, storageerr.ErrLeaseIDMismatchWithLeaseOperation
			}
		case LeaseStateBreaking:
			if !strings.EqualFold(o.LeaseID, e.ID) {
				return res, storageerr.ErrLeaseIDMismatchWithLeaseOperation
			}
			return res, storageerr.ErrLeaseIsBreakingAndCannotBeChanged
		default:
			return res, storageerr.ErrLeaseNotPresentWithLeaseOperation
		}
		l.ID = o.ProposedLeaseID
		res.LeaseID = l.ID
	case LeaseRelease:
		if err := checkLeaseHolder(o, e); err != nil {
			return res, err
		}
		*l = Lease{}
	case LeaseBreak:
		if o.BreakPeriod != nil && (*o.BreakPeriod < 0 || *o.BreakPeriod > 60) {
			return res, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-break-period").WithDetail("HeaderValue", fmt.Sprint(*o.BreakPeriod))
		}
		var remaining time.Duration
		switch e.State {
		case LeaseStateAvailable:
			return res, storageerr.ErrLeaseNotPresentWithLeaseOperation
		case LeaseStateExpired, LeaseStateBroken:
			l.State, l.BreakAt = LeaseStateBroken, now
			return res, nil
		case LeaseStateLeased:
			if e.Infinite {
				remaining = 0
				if o.BreakPeriod != nil {
					remaining = time.Duration(*o.BreakPeriod) * time.Second
				}
			} else {
				remaining = e.Expires.Sub(now)
				if o.BreakPeriod != nil {
					remaining = min(remaining, time.Duration(*o.BreakPeriod)*time.Second)
				}
			}
		case LeaseStateBreaking:
			remaining = e.BreakAt.Sub(now)
			if o.BreakPeriod != nil {
				remaining = min(remaining, time.Duration(*o.BreakPeriod)*time.Second)
			}
		}
		if remaining <= 0 {
			l.State, l.BreakAt = LeaseStateBroken, now
			return res, nil
		}
		l.State, l.BreakAt = LeaseStateBreaking, now.Add(remaining)
		res.LeaseTime = int((remaining + time.Second - 1) / time.Second)
	default:
		return res, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-action").WithDetail("HeaderValue", string(o.Action))
	}
	return res, nil
}
