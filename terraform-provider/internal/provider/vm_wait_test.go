package provider

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// fakeVM plays the API for convergeVM and waitVMGone: Get answers the statuses of seq in turn
// (the last one repeats); an action records itself and replaces seq with what follows it.
type fakeVM struct {
	seq    []gen.VmStatus
	reason string
	getErr error
	after  map[string][]gen.VmStatus // "start", "stop"
	calls  []string
}

func (f *fakeVM) Get(_ context.Context, id string) (gen.VmFields, error) {
	f.calls = append(f.calls, "get")
	if f.getErr != nil {
		return gen.VmFields{}, f.getErr
	}
	s := f.seq[0]
	if len(f.seq) > 1 {
		f.seq = f.seq[1:]
	}
	vm := gen.VmFields{Id: id, Status: s}
	if f.reason != "" {
		vm.StatusReason = &f.reason
	}
	return vm, nil
}

func (f *fakeVM) act(name string) error {
	f.calls = append(f.calls, name)
	next, ok := f.after[name]
	if !ok {
		return &client.APIError{Status: http.StatusConflict, Type: "InvalidStateTransition", Message: "unexpected " + name}
	}
	f.seq = next
	return nil
}

func (f *fakeVM) Start(context.Context, string) error { return f.act("start") }
func (f *fakeVM) Stop(context.Context, string) error  { return f.act("stop") }

var vmFastPoll = backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}

func TestVMNextStep(t *testing.T) {
	cases := []struct {
		status  gen.VmStatus
		want    string
		started bool
		step    step
	}{
		{gen.VmStatusRunning, stateRunning, false, stepDone},
		{gen.VmStatusPending, stateRunning, false, stepWait},
		{gen.VmStatusRebooting, stateRunning, false, stepWait},
		{gen.VmStatusStopping, stateRunning, false, stepWait},
		{gen.VmStatusStopped, stateRunning, false, stepStart},
		{gen.VmStatusError, stateRunning, false, stepStart},
		{gen.VmStatusError, stateRunning, true, stepFail},
		{gen.VmStatusError, stateStopped, false, stepStart},
		{gen.VmStatusTerminated, stateRunning, false, stepFail},
		{gen.VmStatusStopped, stateStopped, false, stepDone},
		{gen.VmStatusStopping, stateStopped, false, stepWait},
		{gen.VmStatusRunning, stateStopped, false, stepStop},
		{gen.VmStatusProvisioning, stateStopped, true, stepStop},
		{gen.VmStatusRebooting, stateStopped, false, stepStop},
	}
	for _, c := range cases {
		if got := vmNextStep(c.status, c.want, c.started); got != c.step {
			t.Errorf("vmNextStep(%s, %s, started=%v) = %d, want %d", c.status, c.want, c.started, got, c.step)
		}
	}
}

func TestConvergeVMStartsAStoppedVM(t *testing.T) {
	f := &fakeVM{seq: []gen.VmStatus{gen.VmStatusStopped},
		after: map[string][]gen.VmStatus{"start": {gen.VmStatusPending, gen.VmStatusProvisioning, gen.VmStatusRunning}}}
	last, err := convergeVM(context.Background(), f, "vm-1", stateRunning, false, vmFastPoll)
	if err != nil || last == nil || last.Status != gen.VmStatusRunning {
		t.Fatalf("convergeVM = %v, %v; want running", last, err)
	}
	if got := strings.Join(f.calls, ","); got != "get,start,get,get,get" {
		t.Errorf("calls %s", got)
	}
}

func TestConvergeVMStopsAfterStartingAFailedOne(t *testing.T) {
	// error -> start (a stop is refused there) -> pending -> stop -> stopping -> stopped
	f := &fakeVM{seq: []gen.VmStatus{gen.VmStatusError}, after: map[string][]gen.VmStatus{
		"start": {gen.VmStatusPending}, "stop": {gen.VmStatusStopping, gen.VmStatusStopped}}}
	last, err := convergeVM(context.Background(), f, "vm-1", stateStopped, false, vmFastPoll)
	if err != nil || last.Status != gen.VmStatusStopped {
		t.Fatalf("convergeVM = %v, %v; want stopped", last, err)
	}
	if got := strings.Join(f.calls, ","); got != "get,start,get,stop,get,get" {
		t.Errorf("calls %s", got)
	}
}

func TestConvergeVMFailsWithTheStatusReason(t *testing.T) {
	// Created (started), then the VM errs: no second start, the API's reason in the error.
	f := &fakeVM{seq: []gen.VmStatus{gen.VmStatusPending, gen.VmStatusError}, reason: "no capacity left"}
	_, err := convergeVM(context.Background(), f, "vm-1", stateRunning, true, vmFastPoll)
	var failed *statusFailedError
	if !errors.As(err, &failed) || failed.Status != "error" || !strings.Contains(err.Error(), "no capacity left") {
		t.Fatalf("err = %v, want a statusFailedError with the reason", err)
	}
	if strings.Contains(strings.Join(f.calls, ","), "start") {
		t.Errorf("calls %v: a VM that failed after its start must not be started again", f.calls)
	}
}

func TestConvergeVMTimesOutWithTheLastStatus(t *testing.T) {
	f := &fakeVM{seq: []gen.VmStatus{gen.VmStatusProvisioning}, reason: "booting"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := convergeVM(ctx, f, "vm-1", stateRunning, true, vmFastPoll)
	var slow *statusTimeoutError
	if !errors.As(err, &slow) || slow.Last != "provisioning" || !strings.Contains(err.Error(), "(booting)") {
		t.Fatalf("err = %v, want a timeout naming provisioning (booting)", err)
	}
}

func TestConvergeVMReturnsAPIErrors(t *testing.T) {
	apiErr := &client.APIError{Status: http.StatusForbidden, Type: "AccessDeniedException", Message: "no", RequestID: "req-1"}
	f := &fakeVM{seq: []gen.VmStatus{gen.VmStatusRunning}, getErr: apiErr}
	if _, err := convergeVM(context.Background(), f, "vm-1", stateRunning, false, vmFastPoll); !errors.Is(err, apiErr) {
		t.Fatalf("err = %v, want the API error", err)
	}
}

func TestWaitVMGone(t *testing.T) {
	f := &fakeVM{seq: []gen.VmStatus{gen.VmStatusRunning, gen.VmStatusTerminated}}
	if err := waitVMGone(context.Background(), f, "vm-1", vmFastPoll); err != nil {
		t.Fatal(err)
	}
	notFound := &fakeVM{getErr: &client.APIError{Status: http.StatusNotFound, Message: "VM vm-1 not found"}}
	if err := waitVMGone(context.Background(), notFound, "vm-1", vmFastPoll); err != nil {
		t.Fatalf("a 404 is gone: %v", err)
	}
}
