package main

import (
	"bufio"
	"context"
	"errors"
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

func runWebhooks(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "webhooks", webhooksUsage)
	dir := fs.String("cassettes", "", "directory of cassettes holding webhook deliveries (walked for .yaml files), e.g. cassettes/")
	target := fs.String("target", "", "your webhook endpoint's URL, e.g. http://127.0.0.1:4242/webhook")
	secret := fs.String("webhook-secret", "", "your endpoint's signing secret (whsec_...): re-sign each delivery with it")
	timeout := fs.Duration("timeout", webhook.DefaultTimeout, "bound on each delivery, from connecting to the end of the answer")
	format := &choice{value: "text", allowed: report.Names()}
	fs.Var(format, "format", "output format: "+strings.Join(report.Names(), ", "))
	maxCassette := addMaxCassetteFlag(fs, "a larger one is an error naming it, read no further")
	if err := parseFlagsOnly(fs, args); err != nil {
		return err
	}
	if err := checkMaxCassette(*maxCassette); err != nil {
		return err
	}
	if *dir == "" || *target == "" {
		return missingf(fs, "--cassettes and --target are required")
	}
	if err := readableDir(*dir); err != nil {
		return err
	}
	v, err := validators.New()
	if err != nil {
		return err
	}
	opts := []webhook.Option{webhook.WithTimeout(*timeout), webhook.WithValidator(v)}
	if *secret != "" {
		opts = append(opts, webhook.WithSecret(*secret))
	}
	r, err := webhook.New(*target, opts...)
	if err != nil {
		return err
	}
	deliveries, err := webhook.Load(os.DirFS(*dir), webhook.WithMaxCassetteSize(*maxCassette), webhook.WithSkipHandler(noticeSkipped(e, *dir)))
	if err != nil {
		return fmt.Errorf("%s: %w", *dir, err)
	}
	if r.Signed() {
		e.errorf("webhooks: %s to %s, re-signed with --webhook-secret", deliveryCount(len(deliveries)), r.Target())
	} else {
		e.errorf("webhooks: %s to %s, unsigned: no --webhook-secret, so the recorded Stripe-Signature is dropped (handlers that verify signatures will reject them)", deliveryCount(len(deliveries)), r.Target())
	}
	cat, err := catalogueOf(v)
	if err != nil {
		return err
	}
	stdout := bufio.NewWriter(e.stdout)
	out, err := report.New(format.value, stdout, report.Options{Catalogue: cat, Name: "stripe-contract webhooks"})
	if err != nil {
		return err
	}
	failed, err := deliverAll(ctx, e, r, deliveries, *dir, out)
	if err != nil {
		return err
	}
	if err := stdout.Flush(); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if failed > 0 {
		return verdictf("%d of %s failed", failed, deliveryCount(len(deliveries)))
	}
	return nil
}

// deliverAll sends each delivery to r's endpoint in turn, says on stderr
// how each went, writes its outcome to out, and returns how many failed.
func deliverAll(ctx context.Context, e *env, r *webhook.Replayer, deliveries []webhook.Delivery, dir string, out report.Format) (failed int, err error) {
	sum := pipeline.Summary{Rules: map[string]*pipeline.RuleCount{}}
	for _, d := range deliveries {
		if ctx.Err() != nil {
			return failed, errors.New("interrupted")
		}
		o := r.Deliver(ctx, d)
		status := "no answer"
		if o.Status != 0 {
			status = fmt.Sprint(o.Status)
		}
		switch {
		case o.OK():
			e.errorf("webhooks: ok %s: %s in %v", d, status, o.Elapsed.Round(time.Millisecond))
		case o.Err != nil:
			failed++
			e.errorf("webhooks: FAIL %v", o.Err)
		default:
			failed++
			e.errorf("webhooks: FAIL %s: %s, but the payload breaks the contract (see the report)", d, status)
		}
		outcome := outcomeOf(o, filepath.Join(dir, filepath.FromSlash(d.Cassette)))
		sum.Add(&outcome)
		if err := out.Write(&outcome, out.Format(nil, &outcome)); err != nil {
			return failed, fmt.Errorf("writing the report: %w", err)
		}
	}
	if err := out.Close(&sum); err != nil {
		return failed, fmt.Errorf("writing the report: %w", err)
	}
	return failed, nil
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

// deliveryCount is "1 delivery" or "N deliveries".
func deliveryCount(n int) string {
	if n == 1 {
		return "1 delivery"
	}
	return fmt.Sprintf("%d deliveries", n)
}
