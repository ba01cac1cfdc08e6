package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// vmOps are the calls waiting needs: the API through the generated client, or a fake in the unit
// tests. Get answers an error for which client.IsNotFound holds when the id is unknown.
type vmOps interface {
	Get(ctx context.Context, id string) (gen.VmFields, error)
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string) error
}

// apiVMOps runs vmOps against the API.
type apiVMOps struct{ c *client.Client }

func (o apiVMOps) Get(ctx context.Context, id string) (gen.VmFields, error) {
	var vm gen.VmFields
	err := o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetVm(ctx, gql, id)
		if err == nil {
			vm = out.Vm.VmFields
		}
		return err
	})
	return vm, err
}

func (o apiVMOps) Start(ctx context.Context, id string) error {
	return o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.StartVm(ctx, gql, id, applyForReal())
		return err
	})
}

func (o apiVMOps) Stop(ctx context.Context, id string) error {
	return o.c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.StopVm(ctx, gql, id, applyForReal())
		return err
	})
}

// vmNextStep decides, for a VM status and a desired power state ("running" or "stopped"), what to
// do. started tells whether a start (or the creation) was already asked for in this wait: a VM
// found in error is started once (a stop is refused there), and fails the wait if it errs again.
func vmNextStep(s gen.VmStatus, want string, started bool) step {
	switch s {
	case gen.VmStatusTerminated:
		return stepFail
	case gen.VmStatusError:
		if started {
			return stepFail
		}
		return stepStart
	}
	if want == stateStopped {
		switch s {
		case gen.VmStatusStopped:
			return stepDone
		case gen.VmStatusStopping:
			return stepWait
		default: // pending, provisioning, running, rebooting
			return stepStop
		}
	}
	switch s {
	case gen.VmStatusRunning:
		return stepDone
	case gen.VmStatusStopped:
		return stepStart
	default: // pending, provisioning, rebooting, stopping
		return stepWait
	}
}

// convergeVM drives VM id to the power state want and waits for it, polling with b until ctx
// ends. It answers the VM as last seen (nil when never seen) and a *statusFailedError (with the
// API's status reason), a *statusTimeoutError or the API's error.
func convergeVM(ctx context.Context, ops vmOps, id, want string, started bool, b backoff) (*gen.VmFields, error) {
	var last *gen.VmFields
	err := pollUntil(ctx, b, "VM", id, want, func(ctx context.Context) (pollResult, error) {
		vm, err := ops.Get(ctx, id)
		if err != nil {
			return pollResult{}, err
		}
		last = &vm
		status, reason := vmStatusText(vm.Status), ""
		if vm.StatusReason != nil {
			reason = *vm.StatusReason
		}
		seen := pollResult{Status: status, Reason: reason}
		var act func(context.Context, string) error
		next := vmNextStep(vm.Status, want, started)
		switch next {
		case stepDone:
			seen.Done = true
			return seen, nil
		case stepFail:
			return seen, &statusFailedError{What: "VM", ID: id, Want: want, Status: status, Reason: reason}
		case stepStart:
			act = ops.Start
		case stepStop:
			act = ops.Stop
		default:
			return seen, nil
		}
		switch err := act(ctx, id); {
		case err == nil:
			started = started || next == stepStart
			seen.Again = true
			return seen, nil
		case client.IsConflict(err):
			return seen, nil // the status moved on between our read and the call: look again
		default:
			return seen, err
		}
	})
	return last, err
}

// waitVMGone polls until VM id is terminated or unknown (404), or ctx ends.
func waitVMGone(ctx context.Context, ops vmOps, id string, b backoff) error {
	return pollUntil(ctx, b, "VM", id, stateGone, func(ctx context.Context) (pollResult, error) {
		vm, err := ops.Get(ctx, id)
		if client.IsNotFound(err) {
			return pollResult{Done: true}, nil
		}
		if err != nil {
			return pollResult{}, err
		}
		return pollResult{Done: vm.Status == gen.VmStatusTerminated, Status: vmStatusText(vm.Status)}, nil
	})
}
