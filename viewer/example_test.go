package viewer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/oplog-go/oplog/store"
	"github.com/oplog-go/oplog/viewer"
)

// facetsOnly is a Source that knows two integrations and nothing else; a
// program passes its *store.Store instead.
type facetsOnly struct{}

func (facetsOnly) Operations(context.Context, store.OperationFilter) (store.OperationPage, error) {
	return store.OperationPage{}, nil
}

func (facetsOnly) Operation(context.Context, string) (store.Operation, error) {
	return store.Operation{}, store.ErrNotFound
}

func (facetsOnly) Messages(context.Context, store.MessageFilter) (store.MessagePage, error) {
	return store.MessagePage{}, nil
}

func (facetsOnly) Facets(context.Context) (store.Facets, error) {
	return store.Facets{Integrations: []string{"github", "hubspot"}}, nil
}

func ExampleNew() {
	mux := http.NewServeMux()
	mux.Handle("/oplog/", http.StripPrefix("/oplog", viewer.New(facetsOnly{}, &viewer.Options{
		TraceURL: "http://localhost:16686/trace/{trace_id}", // Jaeger
	})))
	// A program would now run http.ListenAndServe("localhost:8080", mux)
	// and open http://localhost:8080/oplog/ in a browser.

	for _, target := range []string{
		"/oplog/api/facets",
		"/oplog/api/operations?state=done",
		"/oplog/api/operations/42",
	} {
		r := httptest.NewRequest("GET", target, nil)
		r.Host = "localhost:8080" // other hosts are refused, unless Options.AllowedHosts names them
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		fmt.Print(w.Code, " ", w.Body)
	}
	// Output:
	// 200 {"integrations":["github","hubspot"],"connections":[],"kinds":[],"states":[]}
	// 400 {"error":"bad state: want one of waiting, running, success, failed, timeout, cancelled, got \"done\""}
	// 404 {"error":"operation not found"}
}
