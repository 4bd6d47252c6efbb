package storagehttp

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

func TestParseLeaseOptionsRules(t *testing.T) {
	blob := LeaseRules{CheckAction: true, BreakPeriodOnBreak: true}
	file := LeaseRules{DefaultDuration: "-1"}
	tests := []struct {
		name  string
		rules LeaseRules
		hdr   map[string]string
		code  string
		want  blobstore.LeaseOptions
	}{
		{"blob: duration required", blob, map[string]string{"x-ms-lease-action": "acquire"}, "MissingRequiredHeader", blobstore.LeaseOptions{}},
		{"file: infinite by default", file, map[string]string{"x-ms-lease-action": "Acquire"}, "", blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: -1}},
		{"blob: unknown action", blob, map[string]string{"x-ms-lease-action": "steal"}, "InvalidHeaderValue", blobstore.LeaseOptions{}},
		{"file: unknown action left to the service", file, map[string]string{"x-ms-lease-action": "steal"}, "", blobstore.LeaseOptions{Action: "steal"}},
		{"blob: break period ignored on release", blob, map[string]string{"x-ms-lease-action": "release", "x-ms-lease-break-period": "x", "x-ms-lease-id": "i"}, "",
			blobstore.LeaseOptions{Action: blobstore.LeaseRelease, LeaseID: "i"}},
		{"file: break period checked", file, map[string]string{"x-ms-lease-action": "release", "x-ms-lease-break-period": "x"}, "InvalidHeaderValue", blobstore.LeaseOptions{}},
		{"no action", file, nil, "MissingRequiredHeader", blobstore.LeaseOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.hdr {
				h.Set(k, v)
			}
			got, err := ParseLeaseOptions(h, tc.rules)
			if tc.code != "" {
				assert.Equal(t, tc.code, storageerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestWriteLeaseResult(t *testing.T) {
	tests := []struct {
		action blobstore.LeaseAction
		res    blobstore.LeaseResult
		status int
		id     string
		time   string
	}{
		{blobstore.LeaseAcquire, blobstore.LeaseResult{LeaseID: "id", ETag: "0x1"}, 201, "id", ""},
		{blobstore.LeaseRenew, blobstore.LeaseResult{LeaseID: "id"}, 200, "id", ""},
		{blobstore.LeaseRelease, blobstore.LeaseResult{}, 200, "", ""},
		{blobstore.LeaseBreak, blobstore.LeaseResult{LeaseTime: 7}, 202, "", "7"},
	}
	for _, tc := range tests {
		t.Run(string(tc.action), func(t *testing.T) {
			rec := httptest.NewRecorder()
			require.NoError(t, WriteLeaseResult(rec, tc.action, tc.res))
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.id, rec.Header().Get("x-ms-lease-id"))
			assert.Equal(t, tc.time, rec.Header().Get("x-ms-lease-time"))
			assert.Equal(t, QuoteETag(tc.res.ETag), rec.Header().Get("ETag"))
		})
	}
}

func FuzzParseLeaseOptions(f *testing.F) {
	f.Add("acquire", "15", "", true)
	f.Add("break", "", "5", false)
	f.Fuzz(func(t *testing.T, action, duration, period string, blob bool) {
		rules := LeaseRules{DefaultDuration: "-1"}
		if blob {
			rules = LeaseRules{CheckAction: true, BreakPeriodOnBreak: true}
		}
		h := http.Header{"X-Ms-Lease-Action": {action}, "X-Ms-Lease-Duration": {duration}, "X-Ms-Lease-Break-Period": {period}}
		o, err := ParseLeaseOptions(h, rules)
		if err != nil {
			require.NotEmpty(t, storageerr.CodeOf(err))
			return
		}
		require.NotEmpty(t, o.Action)
	})
}
