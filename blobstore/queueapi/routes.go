package queueapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/azemu/azemu/blobstore/storagehttp"
)

// Path templates, matched still percent-encoded (the adapter decodes).
const (
	pathService  = storagehttp.PathService
	pathQueue    = "/{account:[^/]+}/{queue:[^/]+}"
	pathMessages = "/{account:[^/]+}/{queue:[^/]+}/messages"
	pathMessage  = "/{account:[^/]+}/{queue:[^/]+}/messages/{message:[^/]+}"
)

// q is the route matcher of restype, comp and headers.
type q = storagehttp.Query

// peek tells Peek Messages (peekonly=true) from Get Messages.
type peek bool

// routes lists every Queue REST operation, one per line: method, path,
// matcher, then op{REST operation name, handler}. What a SAS must grant
// comes from storageauth.OperationAccess by the same name.
func (a *api) routes() *mux.Router {
	m := storagehttp.NewRouter(a.Preflight, a.noRoute)
	add := func(methods, path string, match q, o op) { storagehttp.Route(m, methods, path, match, a.handle(o)) }
	messages := func(p peek, o op) {
		m.Methods(http.MethodGet).Path(pathMessages).MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool {
			return (q{}).Matches(r) && peek(strings.EqualFold(r.URL.Query().Get("peekonly"), "true")) == p
		}).Handler(a.handle(o))
	}

	// Service.
	add("GET", pathService, q{Restype: "service", Comp: "properties"}, op{"GetQueueServiceProperties", a.GetQueueServiceProperties})
	add("PUT", pathService, q{Restype: "service", Comp: "properties"}, op{"SetQueueServiceProperties", a.SetQueueServiceProperties})
	add("GET", pathService, q{Restype: "service", Comp: "stats"}, op{"GetQueueServiceStats", a.GetQueueServiceStats})
	add("GET", pathService, q{Comp: "list"}, op{"ListQueues", a.ListQueues})

	// Queue.
	add("PUT", pathQueue, q{}, op{"CreateQueue", a.CreateQueue})
	add("DELETE", pathQueue, q{}, op{"DeleteQueue", a.DeleteQueue})
	add("GET,HEAD", pathQueue, q{Comp: "metadata"}, op{"GetQueueMetadata", a.GetQueueMetadata})
	add("PUT", pathQueue, q{Comp: "metadata"}, op{"SetQueueMetadata", a.SetQueueMetadata})
	add("GET,HEAD", pathQueue, q{Comp: "acl"}, op{"GetQueueACL", a.GetQueueACL})
	add("PUT", pathQueue, q{Comp: "acl"}, op{"SetQueueACL", a.SetQueueACL})

	// Messages.
	add("POST", pathMessages, q{}, op{"PutMessage", a.PutMessage})
	messages(false, op{"GetMessages", a.GetMessages})
	messages(true, op{"PeekMessages", a.PeekMessages})
	add("DELETE", pathMessages, q{}, op{"ClearMessages", a.ClearMessages})
	add("DELETE", pathMessage, q{}, op{"DeleteMessage", a.DeleteMessage})
	add("PUT", pathMessage, q{}, op{"UpdateMessage", a.UpdateMessage})

	return m
}

// knownComp reports whether comp is a Queue REST comp value.
func knownComp(comp string) bool {
	switch comp {
	case "properties", "stats", "list", "metadata", "acl":
		return true
	}
	return false
}

// noRoute answers requests no operation matched, as Azure does: an unknown
// comp is InvalidQueryParameterValue, a verb no operation uses
// UnsupportedHttpVerb, anything else InvalidUri.
func (a *api) noRoute(w http.ResponseWriter, r *http.Request) {
	a.resp.NoRoute(w, r, knownComp, func(r *http.Request) error {
		if r.Method == http.MethodPost {
			return storageerr.ErrUnsupportedHTTPVerb
		}
		return nil
	})
}
