package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// instanceOps are the calls waiting needs: the API through the generated client, or a fake in
// the unit tests. Get answers an error for which client.IsNotFound holds when the id is unknown.
type instanceOps interface {
	Get(ctx context.Context, id string) (gen.InstanceFields, error)
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
	Requeue(ctx context.Context, id string) error
}

// apiInstanceOps runs instanceOps against the API.
type apiInstanceOps struct{ c *client.Client }

func (o apiInstanceOps) Get(ctx context.Context, id string) (gen.InstanceFields, error) {
	var inst gen.InstanceFields
	err := o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetInstance(ctx, gql, id)
		if err == nil {
			inst = out.Instance.InstanceFields
		}
		return err
	})
	return inst, err
}

func (o apiInstanceOps) Start(ctx context.Context, id string) error {
	return o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.StartInstance(ctx, gql, id, applyForReal())
		return err
	})
}

func (o apiInstanceOps) Stop(ctx context.Context, id string) error {
	return o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.StopInstance(ctx, gql, id, applyForReal())
		return err
	})
}

func (o apiInstanceOps) Requeue(ctx context.Context, id string) error {
	return o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.RequeueInstance(ctx, gql, id, applyForReal())
		return err
	})
}

// backoff is the polling interval: Min, doubling up to Max.
type backoff struct{ Min, Max time.Duration }

// defaultBackoff polls at 100 ms first and at most every 2 s.
var defaultBackoff = backoff{Min: 100 * time.Millisecond, Max: 2 * time.Second}

func (b backoff) next(d time.Duration) time.Duration {
	if d <= 0 {
		return b.Min
	}
	return min(2*d, b.Max)
}

// instanceFailedError: the instance landed in a status from which it cannot reach the desired
// state by itself (error, or terminated under Terraform's feet). Reason is the API's status reason.
type instanceFailedError struct {
	ID, Want, Status, Reason string
}

func (e *instanceFailedError) Error() string {
	msg := fmt.Sprintf("instance %s became %s instead of %s", e.ID, e.Status, e.Want)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// instanceTimeoutError: the desired state was not reached in time; Last is the last status seen.
type instanceTimeoutError struct {
	ID, Want string
	Last     *gen.InstanceFields
	After    time.Duration
}

func (e *instanceTimeoutError) Error() string {
	msg := fmt.Sprintf("instance %s did not become %s within %s", e.ID, e.Want, e.After)
	if e.Last != nil {
		msg += "; last status " + statusText(e.Last.Status)
		if e.Last.StatusReason != nil && *e.Last.StatusReason != "" {
			msg += " (" + *e.Last.StatusReason + ")"
		}
	}
	return msg
}

// step is what converging does next from a status.
type step int

const (
	stepWait    step = iota // a transition is under way: poll again
	stepDone                // the desired state is reached
	stepStart               // StartInstance
	stepStop                // StopInstance
	stepRequeue             // RequeueInstance
	stepFail                // it cannot get there by itself
)

// nextStep decides, for a status and a desired power state ("running" or "stopped"), what to do.
// A preempted instance is requeued either way: the API stops only pending, provisioning or
// running instances, so reaching "stopped" from "preempted" goes through a requeue and a stop.
func nextStep(s gen.InstanceStatus, want string) step {
	switch s {
	case gen.InstanceStatusError, gen.InstanceStatusTerminated:
		return stepFail
	case gen.InstanceStatusPreempted:
		return stepRequeue
	}
	if want == stateStopped {
		switch s {
		case gen.InstanceStatusStopped:
			return stepDone
		case gen.InstanceStatusStopping:
			return stepWait
		default: // pending, provisioning, running
			return stepStop
		}
	}
	switch s {
	case gen.InstanceStatusRunning:
		return stepDone
	case gen.InstanceStatusStopped:
		return stepStart
	default: // pending, provisioning, stopping
		return stepWait
	}
}

// converge drives instance id to the power state want ("running" or "stopped") and waits for it,
// polling with b until ctx ends. It answers the instance as last seen (nil when never seen) and an
// *instanceFailedError, an *instanceTimeoutError or the API's error.
func converge(ctx context.Context, ops instanceOps, id, want string, b backoff) (*gen.InstanceFields, error) {
	started := time.Now()
	var last *gen.InstanceFields
	var delay time.Duration
	timeout := func() error {
		return &instanceTimeoutError{ID: id, Want: want, Last: last, After: time.Since(started).Round(time.Second)}
	}
	for {
		inst, err := ops.Get(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return last, timeout()
			}
			return last, err
		}
		last = &inst
		var act func(context.Context, string) error
		switch nextStep(inst.Status, want) {
		case stepDone:
			return last, nil
		case stepFail:
			reason := ""
			if inst.StatusReason != nil {
				reason = *inst.StatusReason
			}
			return last, &instanceFailedError{ID: id, Want: want, Status: statusText(inst.Status), Reason: reason}
		case stepStart:
			act = ops.Start
		case stepStop:
			act = ops.Stop
		case stepRequeue:
			act = ops.Requeue
		}
		if act != nil {
			err := act(ctx, id)
			switch {
			case err == nil:
				delay = 0 // the status changed: look again at once, then poll from the start
				continue
			case ctx.Err() != nil:
				return last, timeout()
			case !client.IsConflict(err):
				return last, err
			}
			// A conflict: the status moved on between our read and the call; look again.
		}
		delay = b.next(delay)
		select {
		case <-ctx.Done():
			return last, timeout()
		case <-time.After(delay):
		}
	}
}

// waitGone polls until instance id is terminated or unknown (404), or ctx ends.
func waitGone(ctx context.Context, ops instanceOps, id string, b backoff) error {
	started := time.Now()
	var last *gen.InstanceFields
	var delay time.Duration
	for {
		inst, err := ops.Get(ctx, id)
		switch {
		case client.IsNotFound(err):
			return nil
		case err != nil && ctx.Err() == nil:
			return err
		case err == nil && inst.Status == gen.InstanceStatusTerminated:
			return nil
		case err == nil:
			last = &inst
		}
		delay = b.next(delay)
		select {
		case <-ctx.Done():
			return &instanceTimeoutError{ID: id, Want: stateGone, Last: last, After: time.Since(started).Round(time.Second)}
		case <-time.After(delay):
		}
	}
}

// isWaitError reports whether err came from waiting (the instance failed or took too long)
// rather than from an API call.
func isWaitError(err error) bool {
	var failed *instanceFailedError
	var slow *instanceTimeoutError
	return errors.As(err, &failed) || errors.As(err, &slow)
}
