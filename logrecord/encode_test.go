package logrecord

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
)

type scalarKinds struct {
	B    bool
	I    int
	I8   int8
	I16  int16
	I32  int32
	I64  int64
	U    uint
	U8   uint8
	U16  uint16
	U32  uint32
	U64  uint64
	UP   uintptr
	F32  float32
	F64  float64
	S    string
	C    complex128
	D    time.Duration
	T    time.Time
	BS   []byte
	SS   []string
	IS   []int
	skip string
}

type named string

func (n named) String() string { return "named:" + string(n) }

type withEverything struct {
	Scalars  scalarKinds `json:"scalars"`
	Tagged   string      `json:"tagged,omitempty"`
	Empty    int         `json:",omitempty"`
	EmptyT   time.Time   `json:"empty_t,omitempty"`
	Dash     string      `json:"-"`
	Named    named
	Err      error
	Ptr      *scalarKinds
	Map      map[string]int
	Any      any
	Arr      [3]int16
	Times    []time.Time
	Structs  []scalarKinds
	Nested   [2][]string
	Children []withEverything
}

type embedded struct{ Inner string }

type promoting struct {
	embedded
	*scalarKinds
	Outer string
}

type node struct {
	Name string
	Kids []node
	Next *node
}

type loop []loop

type holder struct{ Back any }

// httpCarrier holds HTTP data and errors where the codecs meet them: in
// fields, behind pointers, in slices and maps.
type httpCarrier struct {
	URL    *url.URL
	URLV   url.URL
	Query  url.Values
	Header http.Header
	Req    *http.Request
	Resp   *http.Response
	Cookie http.Cookie
	Errs   []error
	ErrMap map[string]error
	Plain  string
}

// codecCanary is planted in every sensitive place of httpSample.
const codecCanary = "cAnArY-codec-77"

func httpSample() httpCarrier {
	u, _ := url.Parse("https://user:" + codecCanary + "@h.example/p?token=" + codecCanary + "&page=2")
	req, _ := http.NewRequest("POST", u.String(), strings.NewReader("body "+codecCanary))
	req.Header.Set("Authorization", "Bearer "+codecCanary)
	req.Header.Set("Accept", "*/*")
	return httpCarrier{
		URL: u, URLV: *u,
		Query:  url.Values{"client_secret": {codecCanary}, "page": {"2"}},
		Header: http.Header{"X-Api-Key": {codecCanary}, "Content-Type": {"text/plain"}},
		Req:    req,
		Resp:   &http.Response{StatusCode: 401, Header: http.Header{"Set-Cookie": {"s=" + codecCanary}}, Request: req},
		Cookie: http.Cookie{Name: "session", Value: codecCanary},
		Errs:   []error{errors.New("dial https://h/?access_token=" + codecCanary), nil},
		ErrMap: map[string]error{"e": errors.Join(errors.New("a"), errors.New("password="+codecCanary))},
		Plain:  "ok",
	}
}

type deep struct {
	Level int
	In    []deep
}

func sample() withEverything {
	sk := scalarKinds{
		B: true, I: -1, I8: -8, I16: -1600, I32: -320000, I64: math.MinInt64, U: math.MaxUint64, U8: 200, U16: 60000,
		U32: math.MaxUint32, U64: 1 << 63, UP: 7, F32: 0.1, F64: math.Inf(-1), S: "bad \xff utf8", C: 1 + 2i,
		D: 1500 * time.Millisecond, T: time.Date(2026, 11, 21, 10, 0, 0, 123, time.FixedZone("x", 3600)),
		BS: []byte("bytes"), SS: []string{"a", strings.Repeat("é", 40)}, IS: []int{1, 2}, skip: "no",
	}
	w := withEverything{
		Scalars: sk, Named: "n", Err: errors.New("boom"), Ptr: &sk, Map: map[string]int{"b": 2, "a": 1},
		Any: sk, Arr: [3]int16{1, 2, 3}, Times: []time.Time{sk.T, {}, time.Unix(1e9, 5).UTC()},
		Structs: []scalarKinds{sk, {}}, Nested: [2][]string{{"x"}, nil},
	}
	w.Children = []withEverything{w, {Tagged: "t", Empty: 1}}
	return w
}

// convertBoth converts v with the codecs and with reflection alone.
func convertBoth(l Limits, v any) (codecs, reflection attribute.Value) {
	codecs = l.Value(v)
	reflectOnly = true
	defer func() { reflectOnly = false }()
	return codecs, l.Value(v)
}

// TestCodecsMatchReflection pins that the compiled codecs give exactly the
// values of reflectValue, the reference, for every kind and limit.
func TestCodecsMatchReflection(t *testing.T) {
	w := sample()
	n := node{Name: "root", Kids: []node{{Name: "a", Kids: []node{{Name: "b"}}}}}
	n.Next = &n
	d := deep{Level: 0}
	for i := 1; i < 40; i++ {
		d = deep{Level: i, In: []deep{d}}
	}
	cyclic := make([]any, 1)
	cyclic[0] = cyclic
	self := make(loop, 2)
	self[0] = self
	back := make([]holder, 2)
	back[1].Back = back
	many := make([][]scalarKinds, 4) // more nodes than one conversion visits
	for i := range many {
		many[i] = make([]scalarKinds, 1000)
	}
	values := map[string]any{
		"struct behind a pointer":     &w,
		"slice of structs":            []withEverything{w, w},
		"array of structs":            &[2]withEverything{w},
		"promoted fields":             []promoting{{embedded: embedded{"in"}, Outer: "out"}, {scalarKinds: &w.Scalars}},
		"recursive type with a cycle": []node{n},
		"deeper than the limit":       []deep{d},
		"cyclic slice":                cyclic,
		"cyclic typed slice":          self,
		"cycle through a field":       back,
		"beyond the node budget":      many,
		"slice of times":              w.Times,
		"slice of named strings":      []named{"a", "b"},
		"slice of slices":             [][]int{{1}, nil, {}},
		"nil slice field":             &withEverything{},
		"empty slice":                 []scalarKinds{},
		"http data in fields":         []httpCarrier{httpSample(), {}},
		"http data behind a pointer":  &struct{ H httpCarrier }{httpSample()},
		"slice of URLs":               []*url.URL{httpSample().URL, nil},
		"slice of URL values":         []url.URL{httpSample().URLV},
		"array of headers":            [2]http.Header{httpSample().Header},
	}
	limits := map[string]Limits{
		"defaults": {},
		"tight":    {MaxStringLen: 5, MaxKeyLen: 3, MaxItems: 2, MaxDepth: 3},
	}
	for ln, l := range limits {
		for vn, v := range values {
			t.Run(ln+"/"+vn, func(t *testing.T) {
				got, want := convertBoth(l, v)
				require.Equal(t, want.String(), got.String())
				assert.Equal(t, want, got)
				assert.NotContains(t, got.String(), codecCanary)
			})
		}
	}
}

// TestCodecsShareTimeBlocks pins that the times of one value are formatted
// into shared blocks, and that a later block does not overwrite the strings
// of an earlier one.
func TestCodecsShareTimeBlocks(t *testing.T) {
	times := make([]time.Time, 100)
	want := make([]string, len(times))
	for i := range times {
		times[i] = time.Date(2000+i, 1, 2, 3, 4, 5, i, time.UTC)
		want[i] = times[i].Format(time.RFC3339Nano)
	}
	got := Value(times).AsSlice()
	require.Len(t, got, len(times))
	for i, v := range got {
		assert.Equal(t, want[i], v.AsString(), i)
	}
	allocs := testing.AllocsPerRun(100, func() { _ = Value(times) })
	assert.LessOrEqual(t, allocs, 10.0, "100 times in a handful of blocks, not one allocation each")

	// A year past 9999 formats longer than the room reserved: the block
	// moves, and the strings already made keep the old one.
	far := []time.Time{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(123456789, 1, 1, 0, 0, 0, 999999999, time.FixedZone("", -3600))}
	vs := Value(far).AsSlice()
	assert.Equal(t, far[0].Format(time.RFC3339Nano), vs[0].AsString())
	assert.Equal(t, far[1].Format(time.RFC3339Nano), vs[1].AsString())
}
