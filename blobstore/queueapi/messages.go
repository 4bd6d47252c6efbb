package queueapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/azemu/azemu/blobstore/queue"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// maxMessageBody bounds a Put/Update Message body: 64 KiB of text can take
// several times that once XML-escaped; more is RequestBodyTooLarge.
const maxMessageBody = 8 * queue.MaxMessageSize

// intParam parses an integer query parameter: absent is ok=false, not an
// integer is InvalidQueryParameterValue.
func intParam(qv url.Values, name string) (n int64, ok bool, err error) {
	if !qv.Has(name) {
		return 0, false, nil
	}
	v := qv.Get(name)
	n, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil {
		return 0, false, storageerr.ErrInvalidQueryParameterValue.WithDetail("QueryParameterName", name).WithDetail("QueryParameterValue", v)
	}
	return n, true, nil
}

// seconds parses a whole-seconds query parameter within [lo, hi]; absent is
// def. Out of range is OutOfRangeQueryParameterValue.
func seconds(qv url.Values, name string, def, lo, hi int64) (time.Duration, error) {
	n, ok, err := intParam(qv, name)
	if err != nil {
		return 0, err
	}
	if !ok {
		n = def
	}
	if n < lo || n > hi {
		return 0, outOfRange(name, qv.Get(name), lo, hi)
	}
	return time.Duration(n) * time.Second, nil
}

func outOfRange(name, value string, lo, hi int64) error {
	return storageerr.ErrOutOfRangeQueryParameterValue.WithDetail("QueryParameterName", name).WithDetail("QueryParameterValue", value).
		WithDetail("MinimumAllowed", strconv.FormatInt(lo, 10)).WithDetail("MaximumAllowed", strconv.FormatInt(hi, 10))
}

const maxVisibilitySeconds = int64(queue.MaxVisibilityTimeout / time.Second)

// PutMessage adds a message: 201 with its id, times and pop receipt.
// visibilitytimeout is 0..7 days (default 0); messagettl is -1 (never
// expires) or at least 1 second (default 7 days).
// https://learn.microsoft.com/rest/api/storageservices/put-message
func (a *api) PutMessage(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	vis, err := seconds(qv, "visibilitytimeout", 0, 0, maxVisibilitySeconds)
	if err != nil {
		return err
	}
	var ttl time.Duration
	if n, ok, err := intParam(qv, "messagettl"); err != nil {
		return err
	} else if ok {
		switch {
		case n == -1:
			ttl = -1
		case n < 1:
			return outOfRange("messagettl", qv.Get("messagettl"), 1, int64(1<<63-1)/int64(time.Second))
		case n > int64(1<<63-1)/int64(time.Second):
			ttl = -1 // beyond any representable time: never expires
		default:
			ttl = time.Duration(n) * time.Second
		}
	}
	text, err := a.messageBody(r)
	if err != nil {
		return err
	}
	m, err := a.svc.PutMessage(r.Context(), c.account, c.queue, text, queue.PutOptions{VisibilityTimeout: vis, TTL: ttl})
	if err != nil {
		return err
	}
	return storagehttp.WriteXML(w, http.StatusCreated, xmlMessageList{Messages: []xmlMessage{messageXML(m, true, false, false)}})
}

// messageBody reads and decodes a <QueueMessage> body.
func (a *api) messageBody(r *http.Request) (string, error) {
	b, err := storagehttp.ReadBody(r, maxMessageBody)
	if err != nil {
		return "", err
	}
	return parseMessageText(b)
}

// GetMessages dequeues up to numofmessages (1..32, default 1) messages,
// hiding them for visibilitytimeout (1 s..7 days, default 30 s).
// https://learn.microsoft.com/rest/api/storageservices/get-messages
func (a *api) GetMessages(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	n, err := messageCount(qv)
	if err != nil {
		return err
	}
	vis, err := seconds(qv, "visibilitytimeout", 30, 1, maxVisibilitySeconds)
	if err != nil {
		return err
	}
	ms, err := a.svc.GetMessages(r.Context(), c.account, c.queue, n, vis)
	if err != nil {
		return err
	}
	x := xmlMessageList{Messages: make([]xmlMessage, 0, len(ms))}
	for _, m := range ms {
		x.Messages = append(x.Messages, messageXML(m, true, true, true))
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

func messageCount(qv url.Values) (int, error) {
	n, ok, err := intParam(qv, "numofmessages")
	if err != nil {
		return 0, err
	}
	if !ok {
		n = 1
	}
	if n < 1 || n > queue.MaxMessagesPerGet {
		return 0, outOfRange("numofmessages", qv.Get("numofmessages"), 1, queue.MaxMessagesPerGet)
	}
	return int(n), nil
}

// PeekMessages returns up to numofmessages visible messages without
// changing them.
// https://learn.microsoft.com/rest/api/storageservices/peek-messages
func (a *api) PeekMessages(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	n, err := messageCount(r.URL.Query())
	if err != nil {
		return err
	}
	ms, err := a.svc.PeekMessages(r.Context(), c.account, c.queue, n)
	if err != nil {
		return err
	}
	x := xmlMessageList{Messages: make([]xmlMessage, 0, len(ms))}
	for _, m := range ms {
		x.Messages = append(x.Messages, messageXML(m, false, true, true))
	}
	return storagehttp.WriteXML(w, http.StatusOK, x)
}

// requiredParam returns a query parameter that must be present.
func requiredParam(qv url.Values, name string) (string, error) {
	if !qv.Has(name) {
		return "", storageerr.ErrMissingRequiredQueryParameter.WithDetail("QueryParameterName", name)
	}
	return qv.Get(name), nil
}

// DeleteMessage deletes a message given its current pop receipt.
// https://learn.microsoft.com/rest/api/storageservices/delete-message2
func (a *api) DeleteMessage(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	receipt, err := requiredParam(r.URL.Query(), "popreceipt")
	if err != nil {
		return err
	}
	if err := a.svc.DeleteMessage(r.Context(), c.account, c.queue, c.message, receipt); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// UpdateMessage changes a message's visibility timeout (required, 0..7
// days) and, with a body, its text; it answers 204 with the new pop receipt
// and time next visible.
// https://learn.microsoft.com/rest/api/storageservices/update-message
func (a *api) UpdateMessage(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	qv := r.URL.Query()
	receipt, err := requiredParam(qv, "popreceipt")
	if err != nil {
		return err
	}
	if _, err := requiredParam(qv, "visibilitytimeout"); err != nil {
		return err
	}
	vis, err := seconds(qv, "visibilitytimeout", 0, 0, maxVisibilitySeconds)
	if err != nil {
		return err
	}
	opts := queue.UpdateOptions{Visibility: vis}
	b, err := storagehttp.ReadBody(r, maxMessageBody)
	if err != nil {
		return err
	}
	if len(b) > 0 {
		text, err := parseMessageText(b)
		if err != nil {
			return err
		}
		opts.Text = &text
	}
	m, err := a.svc.UpdateMessage(r.Context(), c.account, c.queue, c.message, receipt, opts)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("x-ms-popreceipt", m.PopReceipt)
	h.Set("x-ms-time-next-visible", storagehttp.FormatHTTPDate(m.TimeNextVisible))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ClearMessages deletes every message of a queue.
// https://learn.microsoft.com/rest/api/storageservices/clear-messages
func (a *api) ClearMessages(w http.ResponseWriter, r *http.Request) error {
	c := callOf(r)
	if err := a.svc.ClearMessages(r.Context(), c.account, c.queue); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
