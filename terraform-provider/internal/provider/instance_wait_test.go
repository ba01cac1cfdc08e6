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

// fakeInstance plays the API for converge and waitGone: Get answers the statuses of seq in
// turn (the last one repeats); an action records itself and replaces seq with what follows it.
type fakeInstance struct {
	seq       []gen.InstanceStatus
	reason    string
	getErr    error
	after     map[string][]gen.InstanceStatus // "start", "stop", "requeue"
	actionErr map[string]error                // answered once, instead of acting
	calls     []string
}

func (f *fakeInstance) Get(_ context.Context, id string) (gen.InstanceFields, error) {
	f.calls = append(f.calls, "get")
	if f.getErr != nil {
		return gen.InstanceFields{}, f.getErr
	}
	s := f.seq[0]
	if len(f.seq) > 1 {
		f.seq = f.seq[1:]
	}
	inst := gen.InstanceFields{Id: id, Status: s}
	if f.reason != "" {
		inst.StatusReason = &f.reason
	}
	return inst, nil
}

func (f *fakeInstance) act(name string) error {
	f.calls = append(f.calls, name)
	if err := f.actionErr[name]; err != nil {
		delete(f.actionErr, name)
		return err
	}
	next, ok := f.after[name]
	if !ok {
		return &client.APIError{Status: http.StatusConflict, Type: "InvalidStateTransition", Message: "unexpected " + name}
	}
	f.seq = next
	return nil
}

func (f *fakeInstance) Start(context.Context, string) error   { return f.act("start") }
func (f *fakeInstance) Stop(context.Context, string) error    { return f.act("stop") }
func (f *fakeInstance) Requeue(context.Context, string) error { return f.act("requeue") }

var instFastPoll = backoff{Min: time.Millisecond, Max: 2 * time.Millisecond}

const (
	stPending      = gen.InstanceStatusPending
	stProvisioning = gen.InstanceStatusProvisioning
	stRunning      = gen.InstanceStatusRunning
	stStopping     = gen.InstanceStatusStopping
	stStopped      = gen.InstanceStatusStopped
	stPreempted    = gen.InstanceStatusPreempted
	stFailed       = gen.InstanceStatusError
	stTerminated   = gen.InstanceStatusTerminated
)

func converged(t *testing.T, f *fakeInstance, want string) *gen.InstanceFields {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	last, err := converge(ctx, f, "inst-1", want, instFastPoll)
	if err != nil {
		t.Fatalf("converge to %s: %v (calls %v)", want, err, f.calls)
	}
	return last
}

func actions(calls []string) string {
	var out []string
	for _, c := range calls {
		if c != "get" {
			out = append(out, c)
		}
	}
	return strings.Join(out, ",")
}

func TestInstanceConvergeWaitsThroughProvisioning(t *testing.T) {
	f := &fakeInstance{seq: []gen.InstanceStatus{stPending, stPending, stProvisioning, stRunning}}
	last := converged(t, f, stateRunning)
	if last.Status != stRunning || len(f.calls) != 4 || actions(f.calls) != "" {
		t.Errorf("last %s, calls %v", last.Status, f.calls)
	}
}

func TestInstanceConvergeActions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		from    []gen.InstanceStatus
		want    string
		after   map[string][]gen.InstanceStatus
		actions string
	}{
		{"stop a running instance", []gen.InstanceStatus{stRunning}, stateStopped,
			map[string][]gen.InstanceStatus{"stop": {stStopping, stStopping, stStopped}}, "stop"},
		{"stop one still provisioning", []gen.InstanceStatus{stProvisioning}, stateStopped,
			map[string][]gen.InstanceStatus{"stop": {stStopping, stStopped}}, "stop"},
		{"start a stopped instance", []gen.InstanceStatus{stStopped}, stateRunning,
			map[string][]gen.InstanceStatus{"start": {stPending, stProvisioning, stRunning}}, "start"},
		{"start once a stop has finished", []gen.InstanceStatus{stStopping, stStopping, stStopped}, stateRunning,
			map[string][]gen.InstanceStatus{"start": {stPending, stRunning}}, "start"},
		{"requeue a preempted instance", []gen.InstanceStatus{stPreempted}, stateRunning,
			map[string][]gen.InstanceStatus{"requeue": {stPending, stPending, stProvisioning, stRunning}}, "requeue"},
		{"a preempted instance reaches stopped through a requeue", []gen.InstanceStatus{stPreempted}, stateStopped,
			map[string][]gen.InstanceStatus{"requeue": {stPending}, "stop": {stStopping, stStopped}}, "requeue,stop"},
		{"nothing to do", []gen.InstanceStatus{stStopped}, stateStopped, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeInstance{seq: tc.from, after: tc.after}
			last := converged(t, f, tc.want)
			if got := stateFromStatus(last.Status); got != tc.want {
				t.Errorf("ended %s", last.Status)
			}
			if got := actions(f.calls); got != tc.actions {
				t.Errorf("actions %q, want %q", got, tc.actions)
			}
		})
	}
}

func TestInstanceConvergeRetriesAfterAConflict(t *testing.T) {
	// The status moved between the read and the call: a 409, then a new read and a new try.
	f := &fakeInstance{
		seq:       []gen.InstanceStatus{stStopped},
		after:     map[string][]gen.InstanceStatus{"start": {stRunning}},
		actionErr: map[string]error{"start": &client.APIError{Status: http.StatusConflict, Message: "cannot start"}},
	}
	converged(t, f, stateRunning)
	if got := actions(f.calls); got != "start,start" {
		t.Errorf("actions %q", got)
	}
}

func TestInstanceConvergeFailsWithTheStatusReason(t *testing.T) {
	for _, end := range []gen.InstanceStatus{stFailed, stTerminated} {
		f := &fakeInstance{seq: []gen.InstanceStatus{stPending, stProvisioning, end}, reason: "CUDA driver crashed"}
		last, err := converge(context.Background(), f, "inst-1", stateRunning, instFastPoll)
		var fe *instanceFailedError
		if !errors.As(err, &fe) {
			t.Fatalf("%s: want an instanceFailedError, got %v", end, err)
		}
		if fe.Reason != "CUDA driver crashed" || fe.Status != strings.ToLower(string(end)) || last == nil || last.Status != end {
			t.Errorf("%s: %+v, last %+v", end, fe, last)
		}
		if msg := err.Error(); !strings.Contains(msg, "instead of running: CUDA driver crashed") {
			t.Errorf("message %q", msg)
		}
		if !isWaitError(err) {
			t.Error("isWaitError")
		}
	}
}

func TestInstanceConvergeTimesOutWithTheLastStatus(t *testing.T) {
	f := &fakeInstance{seq: []gen.InstanceStatus{stPending}, reason: "no free dedicated GPU: waiting for capacity"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	last, err := converge(ctx, f, "inst-1", stateRunning, instFastPoll)
	var te *instanceTimeoutError
	if !errors.As(err, &te) || last == nil || last.Status != stPending {
		t.Fatalf("want a timeout with the last status, got %v, last %+v", err, last)
	}
	if msg := err.Error(); !strings.Contains(msg, "last status pending (no free dedicated GPU: waiting for capacity)") {
		t.Errorf("message %q", msg)
	}
	if len(f.calls) < 3 {
		t.Errorf("polled only %d times", len(f.calls))
	}
}

func TestInstanceConvergeReturnsAPIErrors(t *testing.T) {
	denied := &client.APIError{Status: http.StatusForbidden, Type: "AccessDeniedException", Message: "no", RequestID: "req-1"}
	f := &fakeInstance{getErr: denied}
	if _, err := converge(context.Background(), f, "inst-1", stateRunning, instFastPoll); !errors.Is(err, denied) || isWaitError(err) {
		t.Errorf("got %v", err)
	}
	// A refused action other than a conflict ends the wait too.
	f = &fakeInstance{seq: []gen.InstanceStatus{stStopped}, actionErr: map[string]error{"start": denied}}
	if _, err := converge(context.Background(), f, "inst-1", stateRunning, instFastPoll); !errors.Is(err, denied) {
		t.Errorf("got %v", err)
	}
}

func TestInstanceWaitGone(t *testing.T) {
	f := &fakeInstance{seq: []gen.InstanceStatus{stRunning, stTerminated}}
	if err := waitGone(context.Background(), f, "inst-1", instFastPoll); err != nil || len(f.calls) != 2 {
		t.Errorf("terminated: %v, calls %v", err, f.calls)
	}
	f = &fakeInstance{getErr: &client.APIError{Status: http.StatusNotFound, Message: "instance inst-1 not found"}}
	if err := waitGone(context.Background(), f, "inst-1", instFastPoll); err != nil {
		t.Errorf("404: %v", err)
	}
	f = &fakeInstance{seq: []gen.InstanceStatus{stStopping}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var te *instanceTimeoutError
	if err := waitGone(ctx, f, "inst-1", instFastPoll); !errors.As(err, &te) || te.Last.Status != stStopping {
		t.Errorf("timeout: %v", err)
	}
}

func TestInstanceBackoffGrowsToItsCap(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 7 {
		d = defaultBackoff.next(d)
		got = append(got, d)
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 2000, 2000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("backoff %v", got)
		}
	}
}
