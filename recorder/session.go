package recorder

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// SessionHeader names a replay session: requests that carry the same
// value share one, whatever connection they come on. A session is what
// remembers which recorded interactions were played, so that a request
// recorded twice (open, then paid) plays in order. Without the header a
// session is one connection.
const SessionHeader = "Stripe-Contract-Session"

// ControlPrefix starts the paths a Server answers itself; no Stripe API
// path starts so (they start /v1/, /v2/ or /oauth/).
const ControlPrefix = "/__stripe-contract/"

// ResetPath is the Server's reset: POST it and every session starts over,
// or only the one its SessionHeader names; the answer is 204 No Content.
const ResetPath = ControlPrefix + "reset"

// maxSessions bounds the named and address sessions a Server keeps; past
// it the oldest is forgotten (it starts over if it comes back).
const maxSessions = 4096

// session is what one run of a suite has played.
type session struct {
	mu     sync.Mutex
	epoch  uint64 // the Server's reset epoch when played was last cleared
	played map[int]bool
}

// sessions holds a Server's sessions. A connection's own session lives in
// the connection's context when the http.Server gives each one
// (*Server).ConnContext; otherwise it is kept by the connection's remote
// address, which names one connection while it is open.
type sessions struct {
	epoch atomic.Uint64 // bumped by a reset of every session

	mu     sync.Mutex
	byName map[string]*session
	names  []string // byName's keys, oldest first
	byAddr map[string]*session
	addrs  []string
}

type connSessionKey struct{}

// ConnContext gives each connection a replay session of its own: set it as
// the http.Server's ConnContext (stripe-contract serve does). Without it a
// connection is told by its remote address, which a later connection from
// the same address and port would share.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connSessionKey{}, &session{})
}

// Reset makes every session start over: each recorded interaction is
// unplayed again, as when the Server was created.
func (s *Server) Reset() {
	ss := &s.sessions
	ss.mu.Lock()
	ss.byName, ss.names, ss.byAddr, ss.addrs = nil, nil, nil, nil
	ss.mu.Unlock()
	ss.epoch.Add(1)
}

// resetSession makes the named session start over.
func (ss *sessions) resetSession(name string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if sess := ss.byName[name]; sess != nil {
		sess.mu.Lock()
		clear(sess.played)
		sess.mu.Unlock()
	}
}

// of is r's session.
func (ss *sessions) of(r *http.Request) *session {
	if name := r.Header.Get(SessionHeader); name != "" {
		return ss.keep(&ss.byName, &ss.names, name)
	}
	if sess, ok := r.Context().Value(connSessionKey{}).(*session); ok {
		return sess
	}
	return ss.keep(&ss.byAddr, &ss.addrs, r.RemoteAddr)
}

func (ss *sessions) keep(m *map[string]*session, order *[]string, key string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if sess := (*m)[key]; sess != nil {
		return sess
	}
	if *m == nil {
		*m = map[string]*session{}
	}
	if len(*order) >= maxSessions {
		delete(*m, (*order)[0])
		*order = (*order)[1:]
	}
	sess := &session{epoch: ss.epoch.Load()}
	(*m)[key] = sess
	*order = append(*order, key)
	return sess
}

// play picks, among eligible entries (in recorded order), the first not
// yet played in the session, marking it played when consume is set; once
// all are played, the last one answers again.
func (sess *session) play(epoch uint64, eligible []int, consume bool) int {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.epoch != epoch {
		clear(sess.played)
		sess.epoch = epoch
	}
	for _, k := range eligible {
		if !sess.played[k] {
			if consume {
				if sess.played == nil {
					sess.played = map[int]bool{}
				}
				sess.played[k] = true
			}
			return k
		}
	}
	return eligible[len(eligible)-1]
}

// control answers a request to a ControlPrefix path.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSuffix(r.URL.Path, "/") != ResetPath {
		http.Error(w, "stripe-contract serve: no such control path; POST "+ResetPath+" resets the replay sessions", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "stripe-contract serve: POST "+ResetPath+" to reset", http.StatusMethodNotAllowed)
		return
	}
	if name := r.Header.Get(SessionHeader); name != "" {
		s.sessions.resetSession(name)
	} else {
		s.Reset()
	}
	w.WriteHeader(http.StatusNoContent)
}
