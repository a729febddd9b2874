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

func (p *processor) OnEmit(_ context.Context, r *sdklog.Record) error {
	if r.Severity() != 0 && r.Severity() < p.min {
		return nil
	}
	p.emitted.Add(1)
	if p.stopped.Load() {
		for _, s := range p.sinks {
			s.shutdown.Add(1)
		}
		return nil
	}
	for _, s := range p.sinks {
		// The SDK builds a fresh Record for every Emit and no processor
		// changes it after this one, so sinks can share its attribute slice.
		s.enqueue(*r)
	}
	return nil
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
func sanitize(r *sdklog.Record, l logrecord.Limits) {
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
	// One pass: are all attributes fine and their keys unique? The
	// provider is built WithAllowKeyDuplication, so de-duplication happens
	// here, once per record, instead of once per attribute in the SDK.
	var keyBuf [32]attribute.Key
	keys := keyBuf[:0]
	changed, dup := false, false
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if !changed && l.SanitizeKeyValue(kv) != kv {
			changed = true
		}
		if !dup {
			dup = containsKey(keys, kv.Key)
			keys = append(keys, kv.Key)
		}
		return true
	})
	if !changed && !dup {
		return
	}
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, l.SanitizeKeyValue(kv))
		return true
	})
	if dup {
		attrs = dedupLastWins(attrs)
	}
	r.SetAttributes(attrs...)
}

// containsKey is a linear scan: records hold a few dozen attributes at most,
// where a scan beats hashing.
func containsKey(keys []attribute.Key, k attribute.Key) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
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
