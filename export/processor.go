package export

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
	"github.com/oplog-go/oplog/severity"
)

// processor is the pipeline's only sdk/log Processor: it filters by
// severity and hands a copy of each record to every sink. Sanitizing
// happens in the sinks' goroutines, off the caller's path.
type processor struct {
	min     log.Severity
	sinks   []*sink
	emitted atomic.Uint64
	stopped atomic.Bool
}

var _ sdklog.Processor = (*processor)(nil)

func (p *processor) Enabled(_ context.Context, param sdklog.EnabledParameters) bool {
	return param.Severity == 0 || param.Severity >= p.min
}

func (p *processor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	if c, ok := ctx.(*fastpath.Capture); ok {
		c.Record, c.Captured = *r, true // a template, not a record: not counted
		return nil
	}
	p.emit(*r, false)
	return nil
}

// emit hands r to every sink. clean reports that r's slice and map values
// were built within the default limits by oplog (see internal/fastpath).
func (p *processor) emit(r sdklog.Record, clean bool) {
	if r.Severity() != 0 && r.Severity() < p.min {
		return
	}
	p.emitted.Add(1)
	if p.stopped.Load() {
		for _, s := range p.sinks {
			s.shutdown.Add(1)
		}
		return
	}
	for _, s := range p.sinks {
		// Each record is fresh (the SDK or the fast path builds one per
		// emit) and no one changes it after this, so sinks can share its
		// attribute slice.
		s.enqueue(r, clean)
	}
}

func (p *processor) ForceFlush(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(p.sinks))
	for i, s := range p.sinks {
		wg.Go(func() { errs[i] = s.flush(ctx) })
	}
	wg.Wait()
	return joinErrs(errs)
}

func (p *processor) Shutdown(ctx context.Context) error {
	p.stopped.Store(true)
	var wg sync.WaitGroup
	errs := make([]error, len(p.sinks))
	for i, s := range p.sinks {
		wg.Go(func() { errs[i] = s.close(ctx) })
	}
	wg.Wait()
	return joinErrs(errs)
}

// sanitize makes every string of r valid UTF-8 and applies the limits, in
// place. Invalid UTF-8 anywhere would make the OTLP encoder fail the whole
// batch (see DESIGN.md).
//
// A clean record (see internal/fastpath) has slice and map values built
// within limits l covers: only their keys are checked, as walking an otel
// composite value copies it.
func sanitize(r *sdklog.Record, l logrecord.Limits, clean bool) {
	if b, changed := l.Sanitize(r.Body()); changed {
		r.SetBody(b)
	}
	if s := r.SeverityText(); s != "" {
		if c := l.String(s); c != s {
			r.SetSeverityText(c)
		}
	}
	if e := r.EventName(); e != "" {
		if c := l.Key(e); c != e {
			r.SetEventName(c)
		}
	}
	fix := func(kv attribute.KeyValue) (attribute.KeyValue, bool) {
		if clean && composite(kv.Value.Type()) {
			if k := l.Key(string(kv.Key)); k != string(kv.Key) {
				return attribute.KeyValue{Key: attribute.Key(k), Value: kv.Value}, true
			}
			return kv, false
		}
		return l.SanitizeKeyValue(kv)
	}
	// One pass: are all attributes fine and their keys unique? The
	// provider is built WithAllowKeyDuplication, so de-duplication happens
	// here, once per record, instead of once per attribute in the SDK.
	var seen keySet
	changed, dup := false, false
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if !changed {
			_, changed = fix(kv)
		}
		if !dup {
			dup = !seen.add(kv.Key)
		}
		return true
	})
	if !changed && !dup {
		return
	}
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		kv, _ = fix(kv)
		attrs = append(attrs, kv)
		return true
	})
	if dup {
		attrs = dedupLastWins(attrs)
	}
	r.SetAttributes(attrs...)
}

func composite(t attribute.Type) bool {
	switch t {
	case attribute.SLICE, attribute.MAP, attribute.STRINGSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
		return true
	}
	return false
}

// keySet finds a repeated key in one pass: a linear scan over the first
// few keys, where a scan beats hashing, then a map, so that a record with
// thousands of attributes costs linear time, not quadratic.
type keySet struct {
	buf  [32]attribute.Key
	n    int
	many map[attribute.Key]struct{}
}

// add reports whether k was new.
func (s *keySet) add(k attribute.Key) bool {
	if s.many != nil {
		if _, ok := s.many[k]; ok {
			return false
		}
		s.many[k] = struct{}{}
		return true
	}
	for _, x := range s.buf[:s.n] {
		if x == k {
			return false
		}
	}
	if s.n < len(s.buf) {
		s.buf[s.n] = k
		s.n++
		return true
	}
	s.many = make(map[attribute.Key]struct{}, 2*len(s.buf))
	for _, x := range s.buf {
		s.many[x] = struct{}{}
	}
	s.many[k] = struct{}{}
	return true
}

// dedupLastWins keeps, for each key, its last attribute, at the place of
// the first: the SDK's de-duplication semantics.
func dedupLastWins(attrs []attribute.KeyValue) []attribute.KeyValue {
	index := make(map[attribute.Key]int, len(attrs))
	out := attrs[:0]
	for _, kv := range attrs {
		if i, ok := index[kv.Key]; ok {
			out[i] = kv
			continue
		}
		index[kv.Key] = len(out)
		out = append(out, kv)
	}
	return out
}

// minSeverity converts the option's severity for the SDK comparison.
func minSeverity(s severity.Severity) log.Severity {
	if !s.Valid() {
		return 0
	}
	return s.OTel()
}

// reporter passes errors to the handler, at most once per interval for each
// kind of drop, with the count of what it held back.
type reporter struct {
	handle   func(error)
	interval time.Duration

	mu   sync.Mutex
	last map[string]time.Time
	held map[string]uint64
}

func newReporter(handle func(error), interval time.Duration) *reporter {
	return &reporter{handle: handle, interval: interval, last: map[string]time.Time{}, held: map[string]uint64{}}
}

func (r *reporter) report(err error) {
	d, ok := err.(*DropError)
	if !ok {
		r.handle(err)
		return
	}
	key := d.Exporter + "\x00" + d.Reason
	now := time.Now()
	r.mu.Lock()
	if last, seen := r.last[key]; seen && now.Sub(last) < r.interval {
		r.held[key] += d.Count
		r.mu.Unlock()
		return
	}
	held := r.held[key]
	r.last[key], r.held[key] = now, 0
	r.mu.Unlock()
	if held > 0 {
		c := *d
		c.Count += held
		d = &c
	}
	r.handle(d)
}

// flush reports the drops held back by the rate limit.
func (r *reporter) flush() {
	r.mu.Lock()
	var held []*DropError
	for key, n := range r.held {
		if n > 0 {
			exp, reason, _ := strings.Cut(key, "\x00")
			held = append(held, &DropError{Exporter: exp, Reason: reason, Count: n})
			r.held[key] = 0
		}
	}
	r.mu.Unlock()
	for _, d := range held {
		r.handle(d)
	}
}
