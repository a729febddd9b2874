package logrecord_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

type pkgErrorsStack []uintptr

func (s pkgErrorsStack) Format(f fmt.State, verb rune) { fmt.Fprint(f, "\nmain.run\n\tmain.go:12") }

type pkgErrorsLike struct{ msg string }

func (e *pkgErrorsLike) Error() string              { return e.msg }
func (e *pkgErrorsLike) StackTrace() pkgErrorsStack { return pkgErrorsStack{1} }

type goErrorsLike struct{}

func (goErrorsLike) Error() string { return "go-errors" }
func (goErrorsLike) Stack() []byte { return []byte("goroutine 1 [running]:\nmain.main()") }

func attrMap(kvs []attribute.KeyValue) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func TestException(t *testing.T) {
	pathErr := &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}
	tests := []struct {
		name      string
		err       error
		wantType  string
		wantMsg   string
		wantStack string // a substring; "" means no stacktrace attribute
	}{
		{"plain", errors.New("boom"), "*errors.errorString", "boom", ""},
		{"wrapped names the cause", fmt.Errorf("sync contacts: %w", pathErr), "*fs.PathError", "sync contacts: open /x: file does not exist", ""},
		{"twice wrapped", fmt.Errorf("a: %w", fmt.Errorf("b: %w", pathErr)), "*fs.PathError", "a: b: open /x: file does not exist", ""},
		{"join names the join", errors.Join(errors.New("x"), errors.New("y")), "*errors.joinError", "x\ny", ""},
		{"pkg/errors stack", &pkgErrorsLike{"pk"}, "*logrecord_test.pkgErrorsLike", "pk", "main.run\n\tmain.go:12"},
		{"go-errors stack", goErrorsLike{}, "logrecord_test.goErrorsLike", "go-errors", "goroutine 1 [running]"},
		{"WithStack", logrecord.WithStack(pathErr), "*fs.PathError", "open /x: file does not exist", "logrecord_test.TestException"},
		{"typed nil", (*myErr)(nil), "*logrecord_test.myErr", "<nil>", ""},
		{"panicking Error", panickyErr{}, "logrecord_test.panickyErr", "PANIC=Error method: err boom", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var attrs []attribute.KeyValue
			require.NotPanics(t, func() { attrs = logrecord.Exception(tt.err) })
			m := attrMap(attrs)
			assert.Equal(t, tt.wantType, m[logrecord.KeyExceptionType].AsString())
			assert.Equal(t, tt.wantMsg, m[logrecord.KeyExceptionMessage].AsString())
			st, ok := m[logrecord.KeyExceptionStacktrace]
			if tt.wantStack == "" {
				assert.False(t, ok, "no stacktrace expected, got %q", st.AsString())
				return
			}
			assert.Contains(t, st.AsString(), tt.wantStack)
		})
	}
	assert.Nil(t, logrecord.Exception(nil))
	assert.Nil(t, logrecord.WithStack(nil))
}

func TestWithStackKeepsIdentity(t *testing.T) {
	err := logrecord.WithStack(fs.ErrNotExist)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.Equal(t, fs.ErrNotExist.Error(), err.Error())
	st := logrecord.Stacktrace(err)
	assert.True(t, strings.HasPrefix(st, "github.com/oplog-go/oplog/logrecord_test.TestWithStackKeepsIdentity()\n\t"), st)
}
