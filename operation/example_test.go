package operation_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// exampleTracker keeps records in memory; show prints each one's severity
// and body (ids and times differ from run to run).
func exampleTracker() (trk *operation.Tracker, show func()) {
	mem := export.NewMemory()
	p, _ := export.Setup(context.Background(), export.WithExporter(mem), export.WithoutGlobal(), export.WithMinSeverity(severity.Info))
	trk = operation.NewTracker(operation.WithLoggerProvider(p.LoggerProvider()), operation.WithTracerProvider(p.TracerProvider()))
	return trk, func() {
		_ = p.Shutdown(context.Background())
		for _, r := range mem.Records() {
			body := r.Body().String()
			if i := strings.LastIndex(body, " ("); i > 0 && strings.HasSuffix(body, ")") {
				body = body[:i] // an HTTP message's duration
			}
			fmt.Println(severity.FromOTel(r.Severity()), body)
		}
	}
}

func ExampleStart() {
	trk, show := exampleTracker()

	// operation.Start does the same with the otel global providers.
	_, op := trk.Start(context.Background(), operation.SyncRun, operation.Refs{Integration: "hubspot", Connection: "conn-42"})
	op.Info("fetched contacts", attribute.Int("count", 120))
	op.Succeed()
	fmt.Println(len(op.ID()), op.State())
	show()
	// Output:
	// 26 success
	// INFO sync.run started
	// INFO fetched contacts
	// INFO sync.run success
}

func ExampleOperation_Warn() {
	trk, show := exampleTracker()
	_, op := trk.Start(context.Background(), operation.ActionRun, operation.Refs{})
	op.Debug("below the minimum: dropped")
	op.Warn("contact has no email", attribute.String("contact.id", "c-3"))
	op.Log(context.Background(), severity.Info3, attribute.MapValue(attribute.Int("added", 3)))
	show()
	// Output:
	// INFO action.run started
	// WARN contact has no email
	// INFO3 {"added":3}
}

func ExampleOperation_HTTP() {
	trk, show := exampleTracker()
	ctx, op := trk.Start(context.Background(), operation.ProxyCall, operation.Refs{})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.com/v1/deals?api_key=secret", nil)
	op.HTTP(operation.HTTPCall{
		Request:  req,
		Response: &http.Response{StatusCode: http.StatusTooManyRequests},
		Duration: 42 * time.Millisecond,
		Retry:    operation.Retry{Attempt: 1, Max: 3, Waited: time.Second},
	})
	op.Succeed()
	show()
	// Output:
	// INFO proxy.call started
	// ERROR GET https://api.example.com/v1/deals?api_key=REDACTED → 429
	// INFO proxy.call success
}

func ExampleTransport() {
	trk, show := exampleTracker()

	// A real program passes nil (http.DefaultTransport) or its own transport.
	api := roundTripper(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})
	client := &http.Client{Transport: operation.Transport(api)}
	ctx, op := trk.Start(context.Background(), operation.SyncRun, operation.Refs{})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.example.com/contacts?token=t0k3n", nil)
	resp, err := client.Do(req) // logged as an HTTP message of op
	if err == nil {
		_ = resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	op.End(err)
	show()
	// Output:
	// 200
	// INFO sync.run started
	// INFO GET https://api.example.com/contacts?token=REDACTED → 200
	// INFO sync.run success
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func ExampleOperation_End() {
	trk, _ := exampleTracker()
	run := func(ctx context.Context) (err error) {
		_, op := trk.Start(ctx, operation.ActionRun, operation.Refs{Function: "create-deal"})
		defer func() { op.End(err); fmt.Println(op.State()) }()
		return fmt.Errorf("create deal: %w", errors.New("amount over limit"))
	}
	_ = run(context.Background())

	ctx, cancel := context.WithCancel(context.Background())
	_, op := trk.Start(ctx, operation.SyncRun, operation.Refs{})
	cancel()
	op.End(context.Canceled) // already ending through its context, or now: cancelled either way
	fmt.Println(op.State())
	// Output:
	// failed
	// cancelled
}
