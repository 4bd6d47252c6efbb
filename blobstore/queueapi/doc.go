// Package queueapi serves the Queue REST API
// (https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api)
// over the queue service: path style (/<account>/<queue>/messages) as
// Azurite serves it on port 10001, and host style
// (<account>.queue.localhost).
//
// Every operation is one handler named after it, listed once in routes.go.
// The adapter resolves the account through Accounts, authenticates with
// storageauth (Shared Key, Shared Key Lite, account SAS with ss=q, and the
// Queue service SAS, which signs /queue/<account>/<queue> and has no sr),
// applies the account's Queue CORS rules and renders errors as Azure's XML
// storage errors with x-ms-error-code.
package queueapi
