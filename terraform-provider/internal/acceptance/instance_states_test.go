package acceptance

import (
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// startServer starts a server of the test's own with these settings, stopped at the test's end.
func startServer(t *testing.T, env map[string]string) *acctest.Server {
	t.Helper()
	s, err := acctest.StartServer(env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// TestInstancePreemptedIsRequeuedInPlace: on a node with one dedicated GPU, a batch instance made
// by Terraform is preempted by an interactive one made out of band. The refresh reports
// "preempted" and the plan is an in-place update; once the GPU is free again, apply requeues the
// instance (same id) and waits until it runs.
func TestInstancePreemptedIsRequeuedInPlace(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"ICGPU_LOCAL_INVENTORY": "dedicated=1"})
	tn := acctest.NewTenantOn(t, s)
	config := instanceConfig(tn, "", q("name", acctest.Name("batch")), q("tier", "dedicated"), q("workload_type", "batch"))
	var id, blocker string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_instance", instanceGone),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(inst, "status", "running"),
					acctest.SaveID(inst, &id),
				),
			},
			{ // interactive work on the only GPU evicts the batch instance
				PreConfig: func() {
					createOutOfBand(t, tn, gen.CreateInstanceInput{Name: acctest.Name("urgent"), Tier: "dedicated", StorageGb: 10,
						WorkloadType: gen.WorkloadTypeInteractive}, &blocker)
					waitStatus(t, tn, &id, gen.InstanceStatusPreempted)
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(inst, "state", "preempted"),
					resource.TestCheckResourceAttr(inst, "status", "preempted"),
					resource.TestMatchResourceAttr(inst, "status_reason", regexp.MustCompile(`Preempted`)),
					resource.TestCheckNoResourceAttr(inst, "ssh_host"),
				),
			},
			{ // the plan brings it back in place
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate),
				}},
			},
			{ // the GPU is free again: apply requeues it and waits for running
				PreConfig: acctest.DeleteOutOfBand(t, tn, &blocker, deleteInstance),
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(inst, &id),
					resource.TestCheckResourceAttr(inst, "state", "running"),
					resource.TestCheckResourceAttr(inst, "status", "running"),
					apiInstance(tn, func(i gen.InstanceFields) error { return wantAPI("status", i.Status, gen.InstanceStatusRunning) }),
				),
			},
		},
	})
}

// TestInstanceInErrorIsReplaced: the running instance's workload fails (the simulated pod is
// marked Failed, see acctest.FailWorkload); the refresh reports "error" with the reason, the plan
// replaces the instance and apply makes a new one that runs.
func TestInstanceInErrorIsReplaced(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	config := instanceConfig(tn, "", q("name", acctest.Name("inst")), q("tier", "mig"), "storage_gb = 10")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_instance", instanceGone),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(inst, "status", "running"),
					acctest.SaveID(inst, &id),
				),
			},
			{
				PreConfig: func() {
					found, err := acctest.Shared.FailWorkload(id, "GPU fell off the bus")
					if err != nil || !found {
						t.Fatalf("failing the workload of %s: found=%v err=%v", id, found, err)
					}
					waitStatus(t, tn, &id, gen.InstanceStatusError)
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(inst, "state", "error"),
					resource.TestCheckResourceAttr(inst, "status", "error"),
					resource.TestCheckResourceAttr(inst, "status_reason", "GPU fell off the bus"),
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(inst, &id),
					resource.TestCheckResourceAttr(inst, "state", "running"),
					resource.TestCheckResourceAttr(inst, "status", "running"),
				),
			},
		},
	})
}

// TestInstanceCreateFailsWithStatusReason: the workload fails while the instance is provisioning
// (a server whose provisioning takes 4 s leaves the time to fail it); create reports the API's
// status reason, the instance stays in the state as tainted and the next apply replaces it.
func TestInstanceCreateFailsWithStatusReason(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"ICGPU_LOCAL_PROVISION_SECONDS": "4"})
	tn := acctest.NewTenantOn(t, s)
	name := acctest.Name("doomed")
	config := instanceConfig(tn, "", q("name", name), q("tier", "timesliced"), "storage_gb = 10")

	// While step 1 runs, fail every starting workload of an instance with this name.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	failing := func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := s.FailWorkloadOfName(name, "CUDA driver crashed"); err != nil {
					t.Errorf("failing the workload: %v", err)
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
	}
	stopFailing := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(stopFailing)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_instance", instanceGone),
		Steps: []resource.TestStep{
			{
				PreConfig:   failing,
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)did not become running.*became\s+error\s+instead\s+of\s+running:\s+CUDA\s+driver\s+crashed.*tainted`),
			},
			{ // the failed instance was kept (tainted): the plan replaces it
				PreConfig: stopFailing,
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(inst, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.TestCheckResourceAttr(inst, "status", "running"),
			},
		},
	})
}
