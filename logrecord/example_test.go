package logrecord_test

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/oplog-go/oplog/logrecord"
)

func ExampleValue() {
	type contact struct {
		ID      int      `json:"id"`
		Email   string   `json:"email"`
		Tags    []string `json:"tags,omitempty"`
		private string
	}
	fmt.Println(logrecord.Value(contact{ID: 7, Email: "ada@example.com", private: "hidden"}))
	fmt.Println(logrecord.Value(map[string]any{"took": 1500 * time.Millisecond, "page": 2}))
	fmt.Println(logrecord.Value(uint64(18446744073709551615)).Type())
	fmt.Println(logrecord.Value("bad \xff byte"))
	// Output:
	// {"email":"ada@example.com","id":7}
	// {"page":2,"took":"1.5s"}
	// STRING
	// bad � byte
}

func ExampleLimits_Value() {
	l := logrecord.Limits{MaxStringLen: 8, MaxItems: 2}
	fmt.Println(l.Value("a long message"))
	fmt.Println(l.Value([]int{1, 2, 3, 4}))
	// Output:
	// a long m…[truncated from 14 bytes]
	// [1,2,"…[truncated from 4 items]"]
}

func ExampleException() {
	err := fmt.Errorf("fetch contacts: %w", &fs.PathError{Op: "open", Path: "cache", Err: fs.ErrPermission})
	for _, kv := range logrecord.Exception(err) {
		fmt.Printf("%s=%s\n", kv.Key, kv.Value)
	}
	// Output:
	// exception.type=*fs.PathError
	// exception.message=fetch contacts: open cache: permission denied
}

func ExampleWithStack() {
	err := logrecord.WithStack(errors.New("quota exceeded"))
	fmt.Println(err)
	fmt.Println(logrecord.Stacktrace(err) != "")
	// Output:
	// quota exceeded
	// true
}
