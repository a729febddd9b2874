package operation

// State is where an operation is in its life. [Waiting] and [Running] are
// open; the others are terminal, and the first terminal state reached is
// final.
type State int32

// The states.
const (
	Waiting State = iota
	Running
	Success
	Failed
	Timeout
	Cancelled
)

var stateNames = [...]string{"waiting", "running", "success", "failed", "timeout", "cancelled"}

// String returns the state's name, as written in oplog.operation.state.
func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// Terminal reports whether s ends an operation.
func (s State) Terminal() bool { return s >= Success && s <= Cancelled }
