package fastpath_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/internal/fastpath"
	"github.com/oplog-go/oplog/logrecord"
)

func TestReserved(t *testing.T) {
	for key, want := range map[string]bool{
		"oplog": true, "oplog.operation.id": true, "OPLOG.x": true, "OpLoG.": true, "oplog.": true,
		"oplogx": false, "xoplog.y": false, "user.oplog.operation.id": false, "opl": false, "": false,
		" oplog.x": false, "oplog_x": false, "0plog.x": false,
	} {
		assert.Equal(t, want, fastpath.Reserved(key), "%q", key)
	}
}

func TestRenameReservedCopies(t *testing.T) {
	in := []attribute.KeyValue{attribute.Int("a", 1), attribute.Int(logrecord.KeyOperationState, 2)}
	out := fastpath.RenameReserved(in)
	assert.Equal(t, attribute.Key(logrecord.KeyOperationState), in[1].Key, "the caller's slice is not changed")
	assert.Equal(t, attribute.Key("user."+logrecord.KeyOperationState), out[1].Key)
	clean := []attribute.KeyValue{attribute.Int("a", 1)}
	assert.Same(t, &clean[0], &fastpath.RenameReserved(clean)[0], "nothing to rename: no copy")
}

type isBoom struct{}

func (isBoom) Error() string { return "boom" }
func (isBoom) Is(error) bool { panic("Is") }
func (isBoom) Unwrap() error { panic("Unwrap") }

func TestSafeHelpers(t *testing.T) {
	assert.False(t, fastpath.Is(isBoom{}, errors.ErrUnsupported))
	assert.Equal(t, "PANIC=End method: x", fastpath.PanicText("End", "x"))
	exc := fastpath.AppendException(nil, isBoom{}, nil, true)
	assert.Equal(t, logrecord.KeyErrorType, string(exc[0].Key))
	assert.Equal(t, "boom", exc[2].Value.AsString())
}
