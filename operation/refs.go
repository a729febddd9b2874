package operation

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/oplog-go/oplog/logrecord"
)

// Refs say what an operation is about. Any may be empty; [Operation.Enrich]
// fills those known later (the connection id after auth, say).
type Refs struct {
	Account, Environment, Integration, Provider, Connection, Sync, Function, Job, EndUser string
}

// Fields selects the references that ride on every record of an operation
// (all of them are always on its span and its start and end records).
// oplog.operation.id is on every record regardless.
type Fields uint16

// The fields.
const (
	FieldKind Fields = 1 << iota // oplog.operation.type and .action
	FieldAccount
	FieldEnvironment
	FieldIntegration
	FieldProvider
	FieldConnection
	FieldSync
	FieldFunction
	FieldJob
	FieldEndUser

	// DefaultFields: the kind, the integration and the connection.
	DefaultFields = FieldKind | FieldIntegration | FieldConnection
	// AllFields: every reference.
	AllFields Fields = 1<<iota - 1
)

// merge fills the empty fields of r from more.
func (r Refs) merge(more Refs) Refs {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&r.Account, more.Account)
	set(&r.Environment, more.Environment)
	set(&r.Integration, more.Integration)
	set(&r.Provider, more.Provider)
	set(&r.Connection, more.Connection)
	set(&r.Sync, more.Sync)
	set(&r.Function, more.Function)
	set(&r.Job, more.Job)
	set(&r.EndUser, more.EndUser)
	return r
}

// sanitize returns r with every field valid UTF-8 and within the default
// limits, so invalid bytes never reach the span raw.
func (r Refs) sanitize() Refs {
	for _, f := range []*string{&r.Account, &r.Environment, &r.Integration, &r.Provider, &r.Connection, &r.Sync, &r.Function, &r.Job, &r.EndUser} {
		*f = logrecord.Limits{}.String(*f)
	}
	return r
}

// appendAttrs appends the selected, non-empty references of an operation.
func appendAttrs(dst []attribute.KeyValue, id string, kind Kind, r Refs, f Fields) []attribute.KeyValue {
	dst = append(dst, attribute.String(logrecord.KeyOperationID, id))
	if f&FieldKind != 0 {
		dst = append(dst, attribute.String(logrecord.KeyOperationType, kind.Type), attribute.String(logrecord.KeyOperationAction, kind.Action))
	}
	for _, ref := range []struct {
		field Fields
		key   string
		val   string
	}{
		{FieldAccount, logrecord.KeyAccountID, r.Account},
		{FieldEnvironment, logrecord.KeyEnvironment, r.Environment},
		{FieldIntegration, logrecord.KeyIntegrationID, r.Integration},
		{FieldProvider, logrecord.KeyIntegrationProvider, r.Provider},
		{FieldConnection, logrecord.KeyConnectionID, r.Connection},
		{FieldSync, logrecord.KeySyncName, r.Sync},
		{FieldFunction, logrecord.KeyFunctionName, r.Function},
		{FieldJob, logrecord.KeyJobID, r.Job},
		{FieldEndUser, logrecord.KeyEndUserID, r.EndUser},
	} {
		if f&ref.field != 0 && ref.val != "" {
			dst = append(dst, attribute.String(ref.key, ref.val))
		}
	}
	return dst
}
