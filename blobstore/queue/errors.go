package queue

import (
	"net/http"

	"github.com/azemu/azemu/blobstore"
)

func newErr(status int, code, msg string) *blobstore.Error {
	return &blobstore.Error{Status: status, Code: code, Message: msg}
}

// The Queue service's own error codes, spelled and answered as Azure does
// (https://learn.microsoft.com/rest/api/storageservices/queue-service-error-codes).
// The codes every storage service shares come from blobstore's table.
var (
	ErrQueueAlreadyExists = newErr(http.StatusConflict, "QueueAlreadyExists", "The specified queue already exists.")
	ErrQueueNotFound      = newErr(http.StatusNotFound, "QueueNotFound", "The specified queue does not exist.")
	ErrMessageNotFound    = newErr(http.StatusNotFound, "MessageNotFound", "The specified message does not exist.")
	ErrPopReceiptMismatch = newErr(http.StatusBadRequest, "PopReceiptMismatch", "The specified pop receipt did not match the pop receipt for a dequeued message.")
)
