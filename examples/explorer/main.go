// Command explorer is the log explorer on a running program: it runs the
// quickstart's integration (examples/internal/crm) again and again in the
// background, for a few integrations and connections, keeps the operations
// in an embedded SQLite store and serves the viewer:
//
//	go run ./examples/explorer
//	explorer: open http://127.0.0.1:8080
//
// -db keeps the store in a file across runs (default: in memory), -addr
// changes the address, -every the pause between rounds.
//
// The viewer shows everything the integrations logged, so the explorer
// refuses to listen beyond the loopback interface (-addr :8080,
// 0.0.0.0:8080, a LAN address) without an access token: set
// OPLOG_VIEWER_TOKEN (or -token, which other users of the machine can see
// in the process list) to a long random string, and the page asks for it
// once per browser tab. The viewer answers only requests addressed to
// localhost, a loopback address or the address it listens on; name the
// other hosts it is reached by with -hosts (comma-separated), e.g.
//
//	OPLOG_VIEWER_TOKEN=$(openssl rand -hex 16) go run ./examples/explorer -addr :8080 -hosts devbox.lan
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/oplog-go/oplog/examples/internal/crm"
	"github.com/oplog-go/oplog/export"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/store"
	"github.com/oplog-go/oplog/viewer"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to serve the viewer on; beyond loopback, a token is required")
	db := flag.String("db", "", "SQLite file to keep operations in (default: in memory)")
	every := flag.Duration("every", 2*time.Second, "pause between rounds of the scenario")
	token := flag.String("token", os.Getenv("OPLOG_VIEWER_TOKEN"), "access token the viewer's API requires (default: $OPLOG_VIEWER_TOKEN)")
	hosts := flag.String("hosts", "", "comma-separated host names the viewer is reached by, besides localhost and loopback addresses")
	flag.Parse()
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	c := config{addr: *addr, db: *db, every: *every, token: *token}
	if *hosts != "" {
		c.hosts = strings.Split(*hosts, ",")
	}
	err := run(ctx, c, func(url string) {
		fmt.Fprintln(os.Stderr, "explorer: open", url)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "explorer:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, db string
	every    time.Duration
	token    string   // the viewer's access token; required beyond loopback
	hosts    []string // viewer.Options.AllowedHosts
}

// refuse is the error for an address beyond loopback without a token.
func refuse(addr string) error {
	return fmt.Errorf("refusing to serve the logs on %s, beyond the loopback interface, without an access token: "+
		"set OPLOG_VIEWER_TOKEN (or -token), or listen on 127.0.0.1", addr)
}

// connections are the integrations and connections the rounds take turns on.
var connections = []operation.Refs{
	{Account: "acc-7", Environment: "prod", Integration: "acme-crm", Provider: "acme", Connection: "conn-42", Sync: "contacts"},
	{Account: "acc-7", Environment: "prod", Integration: "acme-crm", Provider: "acme", Connection: "conn-43", Sync: "contacts"},
	{Account: "acc-9", Environment: "dev", Integration: "globex-erp", Provider: "globex", Connection: "conn-7", Sync: "contacts"},
}

// run serves the viewer on c.addr and runs rounds of the scenario until ctx
// ends; ready is called with the viewer's URL once it listens.
func run(ctx context.Context, c config, ready func(url string)) error {
	if strings.ContainsFunc(c.token, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return errors.New("the token must be printable ASCII without spaces: it is sent in an HTTP header")
	}
	// An address given by number is judged before anything is opened or
	// bound; one given by name, once it is bound (below).
	if host, _, err := net.SplitHostPort(c.addr); err == nil && c.token == "" {
		if ip, perr := netip.ParseAddr(host); host == "" || (perr == nil && !ip.Unmap().IsLoopback()) {
			return refuse(c.addr)
		}
	}
	st, err := store.Open(ctx, store.Options{Path: c.db, MaxAge: 24 * time.Hour, MaxBytes: 256 << 20})
	if err != nil {
		return err
	}
	defer st.Close()
	pipeline, err := export.Setup(ctx, export.WithServiceName("explorer"), export.WithStore(st))
	if err != nil {
		return err
	}
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if err := pipeline.Shutdown(sctx); err != nil {
			fmt.Fprintln(os.Stderr, "explorer: shutdown:", err)
		}
	}()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	ip := ln.Addr().(*net.TCPAddr).IP
	if !ip.IsLoopback() && c.token == "" {
		ln.Close()
		return refuse(c.addr)
	}
	hosts := c.hosts
	if !ip.IsUnspecified() {
		hosts = append(hosts, ip.String()) // the address it is reached by
	}
	srv := &http.Server{
		Handler:           viewer.New(st, &viewer.Options{Token: c.token, AllowedHosts: hosts}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ready("http://" + ln.Addr().String())

	client := &http.Client{Transport: operation.Transport(nil), Timeout: 5 * time.Second}
	for round := 0; ctx.Err() == nil; round++ {
		refs := connections[round%len(connections)]
		api := crm.Fake()
		crm.SyncContacts(ctx, client, api.URL, refs)
		crm.CreateDeal(ctx, client, api.URL, refs)
		api.Close()
		es := pipeline.Stats().Exporters[0] // the store, the only exporter
		fmt.Fprintf(os.Stderr, "explorer: round %d on %s done: %d records stored, %d dropped\n",
			round+1, refs.Connection, es.Delivered, es.Dropped.Total())
		select {
		case <-ctx.Done():
		case <-time.After(c.every):
		case err := <-served:
			return err
		}
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
