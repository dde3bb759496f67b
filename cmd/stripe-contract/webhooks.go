package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stripe-contract/stripe-contract/suites/webhook"
	"github.com/stripe-contract/stripe-contract/validators"
	"github.com/stripe-contract/stripe-contract/validators/pipeline"
	"github.com/stripe-contract/stripe-contract/validators/report"
)

const webhooksUsage = `usage: stripe-contract webhooks --cassettes DIR --target URL [flags]

Replays the webhook deliveries recorded in the go-vcr cassettes under DIR
(interactions whose request is a POST carrying Stripe-Signature) to your
endpoint: each recorded body is POSTed to URL (the whole URL; the recorded
path is ignored) with its recorded Content-Type. With --webhook-secret each
is re-signed with a fresh Stripe-Signature (t=<now>,v1=HMAC-SHA256), as
Stripe signs, so handlers that verify signatures accept it; without it the
recorded signature is dropped and deliveries go unsigned.

A delivery passes when the endpoint answers 2xx within --timeout (redirects
are not followed, as Stripe does not follow them) and its payload keeps the
contract. The report (--format) lists failed deliveries as the rule
webhook.delivery and payload violations by their rules; standard error has a
line per delivery.

Exit status: 0 when every delivery passed, 1 when any failed, 2 for a usage
error or cassettes that cannot be read.

flags:
`

func runWebhooks(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "webhooks", webhooksUsage)
	dir := fs.String("cassettes", "", "directory of cassettes holding webhook deliveries (walked for .yaml files), e.g. cassettes/")
	target := fs.String("target", "", "your webhook endpoint's URL, e.g. http://127.0.0.1:4242/webhook")
	secret := fs.String("webhook-secret", "", "your endpoint's signing secret (whsec_...): re-sign each delivery with it")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, "bound on each delivery, from connecting to the end of the answer")
	format := &choice{value: "text", allowed: report.Names()}
	fs.Var(format, "format", "output format: "+strings.Join(report.Names(), ", "))
	maxCassette := addMaxCassetteFlag(fs, "a larger one is an error naming it, read no further")
	if code, ok := parseFlagsOnly(e, fs, args); !ok {
		return code
	}
	if !checkMaxCassette(e, "webhooks", *maxCassette) {
		return exitUsage
	}
	switch {
	case *dir == "" || *target == "":
		e.errorf("webhooks: --cassettes and --target are required")
		fs.Usage()
		return exitUsage
	}
	if !readableDir(e, "webhooks", *dir) {
		return exitUsage
	}
	v, err := validators.New()
	if err != nil {
		e.errorf("%v", err)
		return exitUsage
	}
	opts := []webhook.Option{webhook.WithTimeout(*timeout), webhook.WithValidator(v)}
	if *secret != "" {
		opts = append(opts, webhook.WithSecret(*secret))
	}
	r, err := webhook.New(*target, opts...)
	if err != nil {
		e.errorf("webhooks: %v", err)
		return exitUsage
	}
	deliveries, err := webhook.Load(os.DirFS(*dir), webhook.WithMaxCassetteSize(*maxCassette), webhook.WithSkipHandler(noticeSkipped(e, *dir)))
	if err != nil {
		e.errorf("webhooks: %s: %v", *dir, err)
		return exitUsage
	}
	if r.Signed() {
		e.errorf("webhooks: %s to %s, re-signed with --webhook-secret", deliveryCount(len(deliveries)), r.Target())
	} else {
		e.errorf("webhooks: %s to %s, unsigned: no --webhook-secret, so the recorded Stripe-Signature is dropped (handlers that verify signatures will reject them)", deliveryCount(len(deliveries)), r.Target())
	}

	stdout := bufio.NewWriter(e.stdout)
	cat, err := catalogueOf(v)
	if err != nil {
		e.errorf("webhooks: %v", err)
		return exitUsage
	}
	out, err := report.New(format.value, stdout, report.Options{Catalogue: cat, Name: "stripe-contract webhooks"})
	if err != nil {
		e.errorf("webhooks: %v", err)
		return exitUsage
	}
	sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
	failed := 0
	for _, d := range deliveries {
		if ctx.Err() != nil {
			e.errorf("webhooks: interrupted")
			return exitUsage
		}
		o := r.Deliver(ctx, d)
		status := "no answer"
		if o.Status != 0 {
			status = fmt.Sprint(o.Status)
		}
		if o.OK() {
			e.errorf("webhooks: ok %s: %s in %v", d, status, o.Elapsed.Round(time.Millisecond))
		} else {
			failed++
			if o.Err != nil {
				e.errorf("webhooks: FAIL %v", o.Err)
			} else {
				e.errorf("webhooks: FAIL %s: %s, but the payload breaks the contract (see the report)", d, status)
			}
		}
		outcome := outcomeOf(o, filepath.Join(*dir, filepath.FromSlash(d.Cassette)))
		sum.Add(&outcome)
		if err := out.Write(&outcome, out.Format(nil, &outcome)); err != nil {
			e.errorf("webhooks: writing the report: %v", err)
			return exitUsage
		}
	}
	if err := out.Close(&sum); err != nil {
		e.errorf("webhooks: writing the report: %v", err)
		return exitUsage
	}
	if err := stdout.Flush(); err != nil {
		e.errorf("webhooks: writing the report: %v", err)
		return exitUsage
	}
	if failed > 0 {
		e.errorf("webhooks: %d of %s failed", failed, deliveryCount(len(deliveries)))
		return exitInvalid
	}
	return exitOK
}

// outcomeOf puts a delivery's outcome in the shape the report formats
// write: the payload as the document, its violations, and a
// webhook.delivery error when the endpoint did not answer 2xx.
func outcomeOf(o webhook.Outcome, source string) pipeline.Outcome {
	d := o.Delivery
	res := o.Validation
	if o.Err != nil {
		res.Violations = append([]validators.Violation{{
			Rule:     webhook.RuleDelivery,
			Pointer:  fmt.Sprintf("/interactions/%d/request", d.Interaction),
			Message:  o.Err.Error(),
			Severity: validators.Error,
		}}, res.Violations...)
	}
	return pipeline.Outcome{
		Doc: pipeline.Document{
			Source: source,
			Line:   d.Line,
			Data:   d.Body,
			Size:   int64(len(d.Body)),
			Prefix: d.Pointer(),
			Label:  fmt.Sprintf("interaction %d: POST %s", d.Interaction, d.URL),
		},
		Result: res,
	}
}

func deliveryCount(n int) string {
	if n == 1 {
		return "1 delivery"
	}
	return fmt.Sprintf("%d deliveries", n)
}
