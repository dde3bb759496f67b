package replay

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/stripe-contract/stripe-contract/recorder"
	"github.com/stripe-contract/stripe-contract/suites/stripemock"
)

// Names of the built-in targets; any other target is a base URL.
const (
	TargetReplay     = "replay"
	TargetStripeMock = "stripe-mock"
	TargetLive       = "live"
)

// Environment variables the live and URL targets read.
const (
	EnvAPIKey  = recorder.EnvAPIKey // a test-mode secret (sk_test_) or restricted (rk_test_) key
	EnvAPIBase = "STRIPE_API_BASE"  // default https://api.stripe.com
)

// DefaultLiveBase is where the live target sends requests unless
// STRIPE_API_BASE says otherwise.
const DefaultLiveBase = "https://api.stripe.com"

// PlaceholderKey is the key sent to targets that accept any test-mode key
// (stripe-mock wants sk_test_ and something). The bundled cassettes were
// recorded with it (cassettes/generate), so the replay server recognises
// it by its fingerprint as the key they name "key 1".
const PlaceholderKey = "sk_test_stripecontract"

// RefusedKey is sent instead of the target's key for interactions whose
// recorded answer is 401: the recording shows the API refusing a bad key
// (cassettes/stripe-mock/error_401_bad_key.yaml was recorded with this
// one, which stripe-mock refuses), so the check is that the target refuses
// it too; the replay server recognises it by its fingerprint and replays
// the rejection. It is shaped like no Stripe key at all, so it cannot be
// anyone's real key, live or not.
const RefusedKey = "not-a-stripe-key"

// ErrLiveNotConfigured is returned by Open for the live target when
// STRIPE_API_KEY is unset: the suites skip the target, saying how to enable it.
var ErrLiveNotConfigured = errors.New("the live target needs a test-mode key: set STRIPE_API_KEY=sk_test_... (and optionally STRIPE_API_BASE); it is skipped without one")

// KeyError is a key refused before anything is sent: a live-mode key, or
// one that is not a secret key at all (recorder.KeyError, the one check of
// keys the recorder's test helper makes too).
type KeyError = recorder.KeyError

// checkKey accepts test-mode secret and restricted keys only.
func checkKey(env, key string) error { return recorder.CheckTestKey(env, key) }

// Target is a system the engine replays cassettes against.
type Target struct {
	// Name is the target's name: replay, stripe-mock, live, or its URL.
	Name string
	key  string
	// webhooks says whether webhook deliveries are sent to it: only the
	// replay server answers them; every other target is an API, and a
	// delivery is not an API request.
	webhooks bool
	// open readies the target for one run and returns its base URL and
	// what ends the run.
	open  func(ctx context.Context) (base string, done func(), err error)
	close func()
}

// Close stops what the target started (stripe-mock's process). It is safe
// to call more than once, and on a nil Target.
func (t *Target) Close() {
	if t != nil && t.close != nil {
		t.close()
		t.close = nil
	}
}

// Open readies a target by name: replay (the cassettes under fsys, served
// in process), stripe-mock (the real one, started with its own fixtures),
// live (Stripe's API in test mode, from STRIPE_API_KEY and STRIPE_API_BASE
// read through getenv), or an http(s) base URL (sent STRIPE_API_KEY when
// set, PlaceholderKey otherwise). The replay target's server is given
// serve, such as recorder.WithMaxCassetteSize. Close it when done.
func Open(ctx context.Context, name string, fsys fs.FS, getenv func(string) string, serve ...recorder.ServerOption) (*Target, error) {
	switch name {
	case TargetReplay:
		return Replay(fsys, serve...), nil
	case TargetStripeMock:
		return StripeMock(ctx)
	case TargetLive:
		return Live(getenv)
	}
	u, err := url.Parse(name)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("unknown target %q: want replay, stripe-mock, live, or an http(s) base URL", name)
	}
	if u.User != nil {
		return nil, fmt.Errorf("target %s: credentials do not belong in the URL; set %s", u.Redacted(), EnvAPIKey)
	}
	key := PlaceholderKey
	if k := getenv(EnvAPIKey); k != "" {
		if err := checkKey(EnvAPIKey, k); err != nil {
			return nil, err
		}
		key = k
	}
	return URL(name, strings.TrimSuffix(name, "/"), key), nil
}

// Replay is the replay target: a recorder.Server over the cassettes under
// fsys, on a loopback httptest listener started for each run (so that
// interactions recorded twice play in order every time) and stopped after
// it, given opts. It answers webhook deliveries as recorded.
func Replay(fsys fs.FS, opts ...recorder.ServerOption) *Target {
	return &Target{
		Name:     TargetReplay,
		key:      PlaceholderKey,
		webhooks: true,
		open: func(context.Context) (string, func(), error) {
			srv, err := recorder.NewServer(fsys, opts...)
			if err != nil {
				return "", nil, err
			}
			ts := httptest.NewServer(srv)
			return ts.URL, ts.Close, nil
		},
	}
}

// StripeMock starts the real stripe-mock pinned in go.mod, with its own
// bundled fixtures (it is the system under test), on a free loopback port,
// and returns once it answers. Close stops it.
func StripeMock(ctx context.Context, opts ...stripemock.Option) (*Target, error) {
	m, err := stripemock.Start(ctx, opts...)
	if err != nil {
		return nil, err
	}
	t := URL(TargetStripeMock, m.URL(), PlaceholderKey)
	t.close = m.Stop
	return t, nil
}

// Live is Stripe's API in test mode: the key in STRIPE_API_KEY (a live-mode
// key is a *KeyError), sent to STRIPE_API_BASE or DefaultLiveBase. Without a
// key it returns ErrLiveNotConfigured.
func Live(getenv func(string) string) (*Target, error) {
	key := getenv(EnvAPIKey)
	if key == "" {
		return nil, ErrLiveNotConfigured
	}
	if err := checkKey(EnvAPIKey, key); err != nil {
		return nil, err
	}
	base := getenv(EnvAPIBase)
	if base == "" {
		base = DefaultLiveBase
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s=%q: want an http(s) base URL", EnvAPIBase, base)
	}
	return URL(TargetLive, strings.TrimSuffix(base, "/"), key), nil
}

// URL is a target at a base URL, sent key in each request's Authorization
// header. Webhook deliveries are not sent to it.
func URL(name, base, key string) *Target {
	return &Target{
		Name: name,
		key:  key,
		open: func(context.Context) (string, func(), error) { return base, func() {}, nil },
	}
}
