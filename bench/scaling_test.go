package bench

import (
	"fmt"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/operation"
	"github.com/oplog-go/oplog/severity"
)

// openCounts are the numbers of concurrently open operations measured.
var openCounts = []int{1, 10, 100, 1000, 10000}

// openSetup starts n operations and logs one message per op, to each open
// operation in turn. op is not safe for concurrent use.
func openSetup(tb testing.TB, n int) setup {
	e := newOplog(tb)
	root := rootContext(tb)
	ops := make([]*operation.Operation, n)
	for i := range ops {
		_, ops[i] = e.tr.Start(root, opKind, opRefs)
	}
	tb.Cleanup(func() {
		for _, op := range ops {
			op.End(nil)
		}
	})
	i := 0
	return oplogSetup(e, 1, func() {
		ops[i].Info(msgSynced, attribute.String("contact.id", fiveContact))
		if i++; i == n {
			i = 0
		}
	})
}

// BenchmarkOpenOperations is the cost of one message while n operations
// are open (each with its span and its context watch), the messages going
// to each in turn: it should not depend on n.
func BenchmarkOpenOperations(b *testing.B) {
	for _, n := range openCounts {
		b.Run(fmt.Sprintf("oplog/open=%d", n), func(b *testing.B) { measure(b, openSetup(b, n), false) })
	}
}

// attrCounts are the attribute counts measured.
var attrCounts = []int{1, 10, 100, 1000}

// manyAttrs returns n int attributes with unique keys.
func manyAttrs(n int) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, n)
	for i := range kv {
		kv[i] = attribute.Int("attr."+strconv.Itoa(i), i)
	}
	return kv
}

// attrPeers emit one message with n prebuilt attributes: oplog through an
// operation, otelapi the same record through the OTel API into the default
// SDK, which de-duplicates keys one attribute at a time. Both providers keep
// up to 2000 attributes (the SDK's default limit is 128), so that every
// attribute reaches the processors; oplog's sink still cuts a record to
// logrecord's MaxAttributes (256), in its own goroutine.
func raiseAttrLimit(tb testing.TB) { tb.Setenv("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "2000") }

var attrPeers = []struct {
	name string
	new  func(tb testing.TB, n int) setup
}{
	{"oplog", func(tb testing.TB, n int) setup {
		raiseAttrLimit(tb)
		e := newOplog(tb)
		_, op := e.start(tb, opRefs)
		kv := manyAttrs(n)
		return oplogSetup(e, 1, func() { op.Info(msgStatic, kv...) })
	}},
	{"otelapi", func(tb testing.TB, n int) setup {
		raiseAttrLimit(tb)
		e := newOtel(tb, 0)
		lg, ctxAttrs, kv := e.logger(), opAttrs(exampleID, opRefs, false, logrecord.TypeLog), manyAttrs(n)
		return otelSetup(e, 1, func() {
			var r log.Record
			head(&r, severity.Info, msgStatic)
			r.AddAttributes(kv...)
			r.AddAttributes(ctxAttrs...)
			lg.Emit(spanCtx, r)
		})
	}},
}

// BenchmarkAttributes is the cost of a message by its attribute count;
// ns/attr is flat when the cost is linear.
func BenchmarkAttributes(b *testing.B) {
	for _, p := range attrPeers {
		for _, n := range attrCounts {
			b.Run(fmt.Sprintf("%s/attrs=%d", p.name, n), func(b *testing.B) {
				measure(b, p.new(b, n), false)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/attr")
			})
		}
	}
}

// TestScalingSetups runs the scaling benchmarks' ops once at their
// smallest and largest sizes.
func TestScalingSetups(t *testing.T) {
	for _, n := range []int{openCounts[0], openCounts[len(openCounts)-1]} {
		s := openSetup(t, n)
		for range 3 {
			s.op()
		}
		s.flush()
		if got := s.delivered(); got != 3 {
			t.Errorf("open=%d: %d records delivered, want 3", n, got)
		}
	}
	for _, p := range attrPeers {
		for _, n := range []int{attrCounts[0], attrCounts[len(attrCounts)-1]} {
			s := p.new(t, n)
			s.op()
			s.flush()
			if got := s.delivered(); got != 1 {
				t.Errorf("%s attrs=%d: %d records delivered, want 1", p.name, n, got)
			}
		}
	}
}
