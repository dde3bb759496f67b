package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/net/netutil"
)

// defaultIdleTimeout is how long record and serve keep a client's idle
// keep-alive connection: long enough for an SDK's pauses between requests,
// short enough that idle clients cannot hold every connection for long.
const defaultIdleTimeout = 30 * time.Second

// maxHeaderTimeout bounds reading a request's headers, which any client
// sends at once.
const maxHeaderTimeout = 10 * time.Second

// serverLimits are the bounds record and serve put on their clients, set
// by the same flags in both.
type serverLimits struct {
	maxConnections int
	idleTimeout    time.Duration
}

// addServerFlags defines --max-connections (default maxConnections) and
// --idle-timeout on fs.
func addServerFlags(fs *flag.FlagSet, maxConnections int) *serverLimits {
	l := &serverLimits{}
	fs.IntVar(&l.maxConnections, "max-connections", maxConnections, "connections served at once; more wait until one closes (idle ones close after --idle-timeout)")
	fs.DurationVar(&l.idleTimeout, "idle-timeout", defaultIdleTimeout, "how long a client's idle keep-alive connection is kept open")
	return l
}

// check returns what is wrong with the limits, if anything.
func (l *serverLimits) check() error {
	switch {
	case l.maxConnections <= 0:
		return usagef("--max-connections must be positive")
	case l.idleTimeout <= 0:
		return usagef("--idle-timeout must be positive")
	}
	return nil
}

// serveConfig is what serveUntilSignal needs beyond the listener.
type serveConfig struct {
	cmd     string // record or serve, for messages
	handler http.Handler
	limits  *serverLimits
	// readTimeout bounds reading a request, headers and body; the headers
	// get at most maxHeaderTimeout of it.
	readTimeout time.Duration
	// writeTimeout bounds a request from its headers to the last byte of
	// its answer.
	writeTimeout time.Duration
	// grace is how long requests in flight get to finish at shutdown.
	grace time.Duration
	// ready says that the server is up, once a signal would be caught.
	ready func()
	// connContext, when set, derives each connection's context (serve:
	// a replay session per connection).
	connContext func(context.Context, net.Conn) context.Context
}

// serveUntilSignal serves cfg.handler on ln, bounded so that no client can
// hold the server: at most limits.maxConnections at once (the rest wait in
// the listen queue), idle connections closed after limits.idleTimeout,
// requests read and answered within the timeouts. It returns nil once ctx is
// done (Ctrl-C) or SIGTERM or SIGHUP (a closed terminal) arrives and the
// requests in flight have finished or had their grace; an error if serving
// stopped on its own.
func serveUntilSignal(ctx context.Context, e *env, ln net.Listener, cfg serveConfig) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	// A closed terminal may take a pipe the output goes through with it:
	// writing there must fail, not kill the process before it has saved.
	signal.Ignore(syscall.SIGPIPE)
	srv := &http.Server{
		Handler:           cfg.handler,
		ReadHeaderTimeout: min(cfg.readTimeout, maxHeaderTimeout),
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.limits.idleTimeout,
		ConnContext:       cfg.connContext,
		// The server's own complaints (accept errors, bad requests) go
		// through the same redacting writer as everything else printed.
		ErrorLog: log.New(e.stderr, "stripe-contract: "+cfg.cmd+": ", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(netutil.LimitListener(ln, cfg.limits.maxConnections)) }()
	cfg.ready()
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	return nil
}
