package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/validators/request"
)

const serveUsage = `usage: stripe-contract serve --cassettes DIR [flags]

Answers HTTP requests from the go-vcr cassettes (*.yaml) under DIR, for SDK
test suites in any language: point the SDK's API base at it. A walk reads
regular files only: a named pipe, socket or device there is skipped with a
notice; a cassette over --max-cassette-size (64 MiB) is an error naming it. A request is
matched on method, path, and its query and form body compared as multisets
(a value recorded as [MASKED] by record --mask-pii matches any value);
Stripe-Account and Stripe-Context must match too, other headers (idempotency
keys, user agents, Stripe-Version) are ignored unless --match-header names
them (--match-header Authorization compares the key by its recorded
fingerprint, never as text).

Among the recordings that match, the API key decides: a key the cassette
recorded (recognised by its fingerprint, or sent as its label, "Bearer
[REDACTED key 2]") gets what was recorded with it, a rejected key its 401;
any other key (your CI's dummy) gets what accepted keys got; a request
without a key gets the unauthenticated recording if there is one. A request
recorded twice (open, then paid) plays in order within a session, the last
answer repeating: a session is the requests with one Stripe-Contract-Session
header value, else one connection. POST /__stripe-contract/reset (204)
starts every session over (with Stripe-Contract-Session, only that one).

A request that matches nothing gets 421 Misdirected Request, a status Stripe
never sends and no SDK retries ({"error":{"type":"stripe_contract_miss",
"message":...,"nearest":...,"differences":[...]}}, headers
Stripe-Contract-Miss: true and Stripe-Should-Retry: false) naming the nearest
recorded request and what differs, and is logged on standard error.

Requests are checked against the request contract (the query parameters the
spec documents: limit 1-100, the status and payment[type] values,
payment[type] with any payment[...], created as an integer or a range, not
both starting_after and ending_before, expand[] only of expandable fields,
no unknown parameter). A request that breaks it is answered with the 400
error envelope the API would send ({"error":{"type":"invalid_request_error",
"code":"parameter_unknown",...,"param":...}}, header
Stripe-Contract-Request-Violation naming the rule) and logged on standard
error, unless the interaction it matches recorded a 4xx answer: that is the
API's own rejection, and is replayed. A recorded success is never replayed
to a request the API rejects. --check-requests=false turns the check off.
Ctrl-C, SIGTERM or SIGHUP stops it. At most --max-connections clients are
served at once, and an idle connection is closed after --idle-timeout.

Exit status: 0 when stopped, 2 for a usage error or cassettes that cannot
be read.

flags:
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", serveUsage)
	dir := fs.String("cassettes", "", "directory of cassettes to answer from (walked for .yaml files), e.g. cassettes/")
	listen := fs.String("listen", "127.0.0.1:12114", "address to listen on (loopback unless you say otherwise; port 0 picks one)")
	var matchHeaders headerList
	fs.Var(&matchHeaders, "match-header", "also match requests on this header, e.g. Stripe-Version (repeatable)")
	checkRequests := fs.Bool("check-requests", true, "answer requests that break the request contract with the API's 400 error envelope")
	maxCassette := addMaxCassetteFlag(fs, "a larger one is an error naming it, read no further")
	limits := addServerFlags(fs, 512)
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := cmp.Or(limits.check(), checkMaxCassette(*maxCassette)); err != nil {
		return err
	}
	if *dir == "" {
		return missingf(fs, "--cassettes is required")
	}
	if err := readableDir(*dir); err != nil {
		return err
	}
	opts := []recorder.ServerOption{
		recorder.WithMatchHeaders(matchHeaders...),
		recorder.WithMissHandler(func(_ *http.Request, miss *recorder.MissError) { e.errorf("serve: miss: %v", miss) }),
		recorder.WithMaxCassetteSize(*maxCassette),
		recorder.WithSkipHandler(noticeSkipped(e, *dir)),
	}
	if *checkRequests {
		checker, err := request.New()
		if err != nil {
			return err
		}
		opts = append(opts,
			recorder.WithRequestCheck(checker),
			recorder.WithRejectHandler(func(_ *http.Request, rej *recorder.RequestError) { e.errorf("serve: rejected: %v", rej) }))
	}
	srvHandler, err := recorder.NewServer(os.DirFS(*dir), opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", *dir, err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return usagef("--listen: %v", err)
	}
	warnIfExposed(e, "serve", ln.Addr())
	return serveUntilSignal(ctx, e, ln, serveConfig{
		cmd:          "serve",
		handler:      srvHandler,
		connContext:  srvHandler.ConnContext, // each connection its own replay session
		limits:       limits,
		readTimeout:  serveTimeout,
		writeTimeout: 2 * serveTimeout,
		grace:        5 * time.Second,
		ready: func() {
			e.errorf("serve: answering at http://%s from %d interactions in %d cassettes under %s; Ctrl-C stops", ln.Addr(), srvHandler.Interactions(), len(srvHandler.Cassettes()), *dir)
		},
	})
}

// serveTimeout bounds reading a request, and answering it, in serve.
const serveTimeout = recorder.DefaultTimeout
