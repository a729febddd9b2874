package viewer

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// hosts decides which Host headers the viewer answers: the loopback names
// and addresses, and Options.AllowedHosts. A browser sends the name it
// resolved, so a page of another site that rebinds its own name to this
// address (DNS rebinding) sends that name, and is refused.
type hosts struct {
	any   bool
	names map[string]bool
}

func newHosts(allowed []string) hosts {
	h := hosts{names: map[string]bool{}}
	for _, a := range allowed {
		if a == "*" {
			h.any = true
			continue
		}
		if n := hostName(strings.TrimSpace(a)); n != "" { // " devbox.lan" from a comma list
			h.names[n] = true
		}
	}
	return h
}

// hostName is the name of a Host header or an AllowedHosts entry, compared
// without its port, brackets, case or final dot.
func hostName(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimPrefix(strings.TrimSuffix(host, "]"), "[")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// allows reports whether a request addressed to the Host header hostport
// may be answered.
func (h hosts) allows(hostport string) bool {
	if h.any {
		return true
	}
	name := hostName(hostport)
	if name == "" {
		return false
	}
	if name == "localhost" || h.names[name] {
		return true
	}
	// An address is no name to rebind: a loopback one is this machine.
	ip, err := netip.ParseAddr(name)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// token checks the Authorization header of API requests against
// Options.Token. The comparison is of hashes, in constant time: it tells
// nothing of the token's length or of how much of it a guess got right.
type token struct {
	set  bool
	hash [sha256.Size]byte
}

func newToken(t string) token {
	if t == "" {
		return token{}
	}
	return token{set: true, hash: sha256.Sum256([]byte(t))}
}

// check reports whether r may call the API, and if not whether it sent a
// credential at all.
func (t token) check(r *http.Request) (ok, sent bool) {
	if !t.set {
		return true, false
	}
	auth := r.Header.Get("Authorization")
	scheme, cred, found := strings.Cut(auth, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return false, auth != ""
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(cred)))
	return subtle.ConstantTimeCompare(got[:], t.hash[:]) == 1, true
}
