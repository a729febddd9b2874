package operation

import "github.com/oplog-go/oplog/logrecord"

// Kind is what an operation does: a type and an action, as in "sync:run".
// The predefined kinds cover an integration platform's operations; any other
// Type and Action work the same.
type Kind struct{ Type, Action string }

// String returns "type.action", the name of the operation's span.
func (k Kind) String() string { return k.Type + "." + k.Action }

// The predefined kinds.
var (
	SyncRun            = Kind{"sync", "run"}
	SyncPause          = Kind{"sync", "pause"}
	SyncUnpause        = Kind{"sync", "unpause"}
	SyncRequestRun     = Kind{"sync", "request_run"}
	SyncRequestRunFull = Kind{"sync", "request_run_full"}
	SyncCancel         = Kind{"sync", "cancel"}
	SyncInit           = Kind{"sync", "init"}

	ActionRun = Kind{"action", "run"}
	ProxyCall = Kind{"proxy", "call"}

	WebhookIncoming = Kind{"webhook", "incoming"}
	WebhookForward  = Kind{"webhook", "forward"}

	EventsPostConnectionCreation = Kind{"events", "post_connection_creation"}
	EventsPreConnectionDeletion  = Kind{"events", "pre_connection_deletion"}
	EventsValidateConnection     = Kind{"events", "validate_connection"}

	AuthCreateConnection = Kind{"auth", "create_connection"}
	AuthRefreshToken     = Kind{"auth", "refresh_token"}
	AuthConnectionTest   = Kind{"auth", "connection_test"}

	DeployPrebuilt = Kind{"deploy", "prebuilt"}
	DeployCustom   = Kind{"deploy", "custom"}

	FunctionInvoke = Kind{"function", "invoke"}
)

// sanitize returns k valid UTF-8 and within the default limits.
func (k Kind) sanitize() Kind {
	return Kind{logrecord.Limits{}.String(k.Type), logrecord.Limits{}.String(k.Action)}
}
