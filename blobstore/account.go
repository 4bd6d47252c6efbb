package blobstore

import (
	"context"

	"github.com/azemu/azemu/blobstore/boltstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// GetServiceProperties returns the stored Blob service properties (defaults
// when never set). It MUST return storageerr.ErrAccountNotFound for an unknown account.
func (s *Service) GetServiceProperties(ctx context.Context, account string) (ServiceProperties, error) {
	var p ServiceProperties
	err := s.st.View(func(tx *boltstore.Tx) error {
		rec, err := s.loadAccount(tx, account)
		if err != nil {
			return err
		}
		if rec.Props != nil {
			p = *rec.Props
		} else {
			p = defaultServiceProperties()
		}
		return nil
	})
	return p, err
}

func defaultServiceProperties() ServiceProperties {
	return ServiceProperties{
		Logging:               &LoggingProperties{Version: "1.0"},
		HourMetrics:           &MetricsProperties{Version: "1.0"},
		MinuteMetrics:         &MetricsProperties{Version: "1.0"},
		Cors:                  []CorsRule{},
		DeleteRetentionPolicy: &RetentionPolicy{},
		StaticWebsite:         &StaticWebsite{},
	}
}

// SetServiceProperties stores the Blob service properties. Elements absent
// from the request keep their stored value, as Azure does: nil pointer
// fields and a nil Cors slice mean "unchanged" (an empty non-nil Cors slice
// clears the rules). At most 5 CORS rules (else storageerr.ErrInvalidXMLDocument).
func (s *Service) SetServiceProperties(ctx context.Context, account string, p ServiceProperties) error {
	defer s.accountChanged()
	if len(p.Cors) > 5 {
		return storageerr.ErrInvalidXMLDocument.WithMessage("At most five CORS rules are allowed.")
	}
	return s.st.Update(func(tx *boltstore.Tx) error {
		rec, err := s.loadAccount(tx, account)
		if err != nil {
			return err
		}
		cur := defaultServiceProperties()
		if rec.Props != nil {
			cur = *rec.Props
		}
		if p.Logging != nil {
			cur.Logging = p.Logging
		}
		if p.HourMetrics != nil {
			cur.HourMetrics = p.HourMetrics
		}
		if p.MinuteMetrics != nil {
			cur.MinuteMetrics = p.MinuteMetrics
		}
		if p.Cors != nil {
			cur.Cors = append([]CorsRule{}, p.Cors...)
		}
		if p.DefaultServiceVersion != "" {
			cur.DefaultServiceVersion = p.DefaultServiceVersion
		}
		if p.DeleteRetentionPolicy != nil {
			cur.DeleteRetentionPolicy = p.DeleteRetentionPolicy
		}
		if p.StaticWebsite != nil {
			cur.StaticWebsite = p.StaticWebsite
		}
		rec.Props = &cur
		return s.putAccount(tx, rec)
	})
}

// GetAccountInfo returns the account's SKU and kind (Standard_RAGRS, StorageV2).
func (s *Service) GetAccountInfo(ctx context.Context, account string) (AccountInfo, error) {
	err := s.st.View(func(tx *boltstore.Tx) error {
		_, err := s.loadAccount(tx, account)
		return err
	})
	if err != nil {
		return AccountInfo{}, err
	}
	return AccountInfo{SkuName: "Standard_RAGRS", AccountKind: "StorageV2"}, nil
}
