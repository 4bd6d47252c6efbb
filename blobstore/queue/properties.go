package queue

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
)

// ServiceProperties are the Queue service properties of an account:
// logging and metrics settings (accepted and stored; azemu writes no logs
// or metrics to the account) and CORS rules, which the Queue endpoint
// applies.
type ServiceProperties struct {
	Logging       *blobstore.LoggingProperties `json:",omitempty"`
	HourMetrics   *blobstore.MetricsProperties `json:",omitempty"`
	MinuteMetrics *blobstore.MetricsProperties `json:",omitempty"`
	Cors          []blobstore.CorsRule         `json:",omitempty"`
}

// maxCorsRules is how many CORS rules a service may have.
const maxCorsRules = 5

func defaultProperties() ServiceProperties {
	return ServiceProperties{
		Logging:       &blobstore.LoggingProperties{Version: "1.0"},
		HourMetrics:   &blobstore.MetricsProperties{Version: "1.0"},
		MinuteMetrics: &blobstore.MetricsProperties{Version: "1.0"},
		Cors:          []blobstore.CorsRule{},
	}
}

// GetServiceProperties returns the account's Queue service properties
// (Azure's defaults when never set).
// https://learn.microsoft.com/rest/api/storageservices/get-queue-service-properties
func (s *Service) GetServiceProperties(ctx context.Context, account string) (ServiceProperties, error) {
	p := defaultProperties()
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketProps).Get([]byte(account))
		if v == nil {
			return nil
		}
		if err := json.Unmarshal(v, &p); err != nil {
			return fmt.Errorf("queue: decode service properties: %w", err)
		}
		return nil
	})
	if p.Cors == nil {
		p.Cors = []blobstore.CorsRule{}
	}
	return p, err
}

// SetServiceProperties stores the Queue service properties. Elements the
// request left out (nil) keep their stored value; an empty non-nil Cors
// clears the rules. At most five CORS rules (else InvalidXmlDocument).
// https://learn.microsoft.com/rest/api/storageservices/set-queue-service-properties
func (s *Service) SetServiceProperties(ctx context.Context, account string, p ServiceProperties) error {
	if len(p.Cors) > maxCorsRules {
		return storageerr.ErrInvalidXMLDocument.WithMessage("At most five CORS rules are allowed.")
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		cur := defaultProperties()
		if v := tx.Bucket(bucketProps).Get([]byte(account)); v != nil {
			if err := json.Unmarshal(v, &cur); err != nil {
				return fmt.Errorf("queue: decode service properties: %w", err)
			}
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
			cur.Cors = append([]blobstore.CorsRule{}, p.Cors...)
		}
		b, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketProps).Put([]byte(account), b)
	})
}

// DropAccount removes every queue, message and setting of account (when
// the account is deleted, so a new account of the same name starts empty).
func (s *Service) DropAccount(ctx context.Context, account string) error {
	prefix := accountPrefix(account)
	var queues []string
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketQueues).Cursor()
		for k, _ := c.Seek(prefix); k != nil && len(k) > len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			queues = append(queues, string(k[len(prefix):]))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, q := range queues {
		if err := s.DeleteQueue(ctx, account, q); err != nil && err != storageerr.ErrQueueNotFound {
			return err
		}
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketServiceKeys).Delete([]byte(account)); err != nil {
			return err
		}
		return tx.Bucket(bucketProps).Delete([]byte(account))
	})
}
