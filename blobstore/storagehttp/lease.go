package storagehttp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// LeaseRules are where the services read Lease Container / Lease Blob and
// Lease Share / Lease File headers differently.
type LeaseRules struct {
	// CheckAction refuses an unknown x-ms-lease-action here
	// (InvalidHeaderValue), as the Blob service does; otherwise the service
	// decides.
	CheckAction bool
	// DefaultDuration is the duration of an acquire without
	// x-ms-lease-duration (Files: "-1", infinite); "" makes the header
	// required (Blob).
	DefaultDuration string
	// BreakPeriodOnBreak reads x-ms-lease-break-period only when the action
	// is break (Blob); otherwise it is checked whenever sent.
	BreakPeriodOnBreak bool
}

// ParseLeaseOptions reads x-ms-lease-action, x-ms-lease-id,
// x-ms-proposed-lease-id, x-ms-lease-duration and x-ms-lease-break-period.
func ParseLeaseOptions(h http.Header, rules LeaseRules) (blobstore.LeaseOptions, error) {
	action := blobstore.LeaseAction(strings.ToLower(h.Get("x-ms-lease-action")))
	switch action {
	case "":
		return blobstore.LeaseOptions{}, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-lease-action")
	case blobstore.LeaseAcquire, blobstore.LeaseRenew, blobstore.LeaseChange, blobstore.LeaseRelease, blobstore.LeaseBreak:
	default:
		if rules.CheckAction {
			return blobstore.LeaseOptions{}, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-action").WithDetail("HeaderValue", h.Get("x-ms-lease-action"))
		}
	}
	o := blobstore.LeaseOptions{
		Action:          action,
		LeaseID:         h.Get("x-ms-lease-id"),
		ProposedLeaseID: h.Get("x-ms-proposed-lease-id"),
	}
	if action == blobstore.LeaseAcquire {
		v := h.Get("x-ms-lease-duration")
		if v == "" {
			if rules.DefaultDuration == "" {
				return o, storageerr.ErrMissingRequiredHeader.WithDetail("HeaderName", "x-ms-lease-duration")
			}
			v = rules.DefaultDuration
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-duration").WithDetail("HeaderValue", v)
		}
		o.Duration = n
	}
	if v := h.Get("x-ms-lease-break-period"); v != "" && (action == blobstore.LeaseBreak || !rules.BreakPeriodOnBreak) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, storageerr.ErrInvalidHeaderValue.WithDetail("HeaderName", "x-ms-lease-break-period").WithDetail("HeaderValue", v)
		}
		o.BreakPeriod = &n
	}
	return o, nil
}

// WriteLeaseResult answers a lease operation: ETag and Last-Modified,
// x-ms-lease-id when the operation gives one (acquire, renew, change), 201
// for acquire, 202 with x-ms-lease-time for break, else 200.
func WriteLeaseResult(w http.ResponseWriter, action blobstore.LeaseAction, res blobstore.LeaseResult) error {
	h := w.Header()
	SetETagHeaders(h, res.ETag, res.LastModified)
	if res.LeaseID != "" {
		h.Set("x-ms-lease-id", res.LeaseID)
	}
	status := http.StatusOK
	switch action {
	case blobstore.LeaseAcquire:
		status = http.StatusCreated
	case blobstore.LeaseBreak:
		status = http.StatusAccepted
		h.Set("x-ms-lease-time", strconv.Itoa(res.LeaseTime))
	}
	w.WriteHeader(status)
	return nil
}
