package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// A generic bounded poll, shared by icgpu_vm and icgpu_cluster: the same backoff as the instance
// waits (defaultBackoff), with errors that name the resource, the wanted status and the last one seen.

// statusFailedError: the resource landed in a status from which it cannot reach the wanted one by
// itself. Reason is the API's status reason.
type statusFailedError struct {
	What, ID, Want, Status, Reason string
}

func (e *statusFailedError) Error() string {
	msg := fmt.Sprintf("%s %s became %s instead of %s", e.What, e.ID, e.Status, e.Want)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// statusTimeoutError: the wanted status was not reached in time; Last/Reason are the last seen.
type statusTimeoutError struct {
	What, ID, Want, Last, Reason string
	After                        time.Duration
}

func (e *statusTimeoutError) Error() string {
	msg := fmt.Sprintf("%s %s did not become %s within %s", e.What, e.ID, e.Want, e.After)
	if e.Last != "" {
		msg += "; last status " + e.Last
		if e.Reason != "" {
			msg += " (" + e.Reason + ")"
		}
	}
	return msg
}

// pollResult is what one look at the resource found.
type pollResult struct {
	Done           bool   // the wanted status is reached
	Status, Reason string // as seen (lower case), for a timeout's message
	Again          bool   // something was just changed: look again at once
}

// pollUntil calls probe until it reports Done or an error, waiting with b between looks (from
// b.Min again after a probe that changed something), until ctx ends: then a *statusTimeoutError.
// probe's own errors are returned as they are, unless they come from ctx ending.
func pollUntil(ctx context.Context, b backoff, what, id, want string, probe func(context.Context) (pollResult, error)) error {
	started := time.Now()
	var last pollResult
	timeout := func() error {
		return &statusTimeoutError{What: what, ID: id, Want: want, Last: last.Status, Reason: last.Reason,
			After: time.Since(started).Round(time.Second)}
	}
	var delay time.Duration
	for {
		r, err := probe(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return timeout()
			}
			return err
		}
		if r.Status != "" {
			last = r
		}
		if r.Done {
			return nil
		}
		if r.Again {
			delay = 0
			continue
		}
		delay = b.next(delay)
		select {
		case <-ctx.Done():
			return timeout()
		case <-time.After(delay):
		}
	}
}

// addStatusWaitError reports an error of pollUntil: the failure with the API's status reason, a
// timeout with the last status, or the API error that stopped the wait (with its request id).
func addStatusWaitError(diags *diag.Diagnostics, summary string, err error, note string) {
	var failed *statusFailedError
	var slow *statusTimeoutError
	switch {
	case errors.As(err, &slow):
		diags.AddError(summary, capitalize(err.Error())+". Raise the timeouts block's value if it needs longer."+noteText(note))
	case errors.As(err, &failed):
		diags.AddError(summary, capitalize(err.Error())+"."+noteText(note))
	default:
		addAPIError(diags, summary, err)
	}
}

func noteText(note string) string {
	if note == "" {
		return ""
	}
	return "\n\n" + note
}
