package acceptance

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const vmRes = "icgpu_vm.v"

// vmConfig is a provider block and one icgpu_vm "v" with these argument lines.
func vmConfig(tn *acctest.Tenant, args ...string) string {
	return tn.ProviderBlock() + "\nresource \"icgpu_vm\" \"v\" {\n  " + strings.Join(args, "\n  ") + "\n}\n"
}

// vmGone is the CheckDestroy lookup: a deleted VM reads as 404 or as TERMINATED.
func vmGone(ctx context.Context, gql graphql.Client, id string) error {
	out, err := gen.GetVm(ctx, gql, id)
	if err == nil && out.Vm.Status == gen.VmStatusTerminated {
		return &client.APIError{Status: http.StatusNotFound, Message: "VM " + id + " is terminated"}
	}
	return err
}

func deleteVM(ctx context.Context, gql graphql.Client, id string) error {
	_, err := gen.DeleteVm(ctx, gql, id, &dryRunOff)
	return err
}

// apiVM checks the API's view of the VM in the state.
func apiVM(tn *acctest.Tenant, check func(v gen.VmFields) []error) resource.TestCheckFunc {
	return acctest.CheckAPI(tn, vmRes, func(ctx context.Context, gql graphql.Client, id string) error {
		out, err := gen.GetVm(ctx, gql, id)
		if err != nil {
			return err
		}
		for _, err := range check(out.Vm.VmFields) {
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func expectPlanned(attr string, v knownvalue.Check) plancheck.PlanCheck {
	return plancheck.ExpectKnownValue(vmRes, tfjsonpath.New(attr), v)
}

// TestVMLifecycle: create from the CPU-only template with the template's defaults planned, read
// back, rename and auto-stop in place, stop and start in place, replacement on a new template
// (a GPU one: its tier and sizes planned from the catalogue), import, drift after an out-of-band
// delete, destroy.
func TestVMLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	key := acctest.PublicKey(t)
	name1, name2 := acctest.Name("vm"), acctest.Name("vm")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_vm", vmGone),
		Steps: []resource.TestStep{
			{ // create: waits for running; sizes left out are the template's, known at plan time
				Config: vmConfig(tn, q("name", name1), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key", key+"\n"), "cpu = 4"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionCreate),
					expectPlanned("cpu", knownvalue.Int64Exact(4)),
					expectPlanned("memory_gb", knownvalue.Int64Exact(4)),
					expectPlanned("disk_gb", knownvalue.Int64Exact(20)),
					expectPlanned("gpu_tier", knownvalue.Null()),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(vmRes, "id", regexp.MustCompile(`^vm-`)),
					resource.TestCheckResourceAttr(vmRes, "name", name1),
					resource.TestCheckResourceAttr(vmRes, "ssh_key", key+"\n"),
					resource.TestCheckResourceAttr(vmRes, "state", "running"),
					resource.TestCheckResourceAttr(vmRes, "status", "running"),
					resource.TestCheckResourceAttrSet(vmRes, "ssh_host"),
					resource.TestMatchResourceAttr(vmRes, "ssh_port", regexp.MustCompile(`^[0-9]+$`)),
					resource.TestMatchResourceAttr(vmRes, "created_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)),
					resource.TestCheckNoResourceAttr(vmRes, "gpu_tier"),
					resource.TestCheckNoResourceAttr(vmRes, "auto_stop_after_minutes"),
					resource.TestCheckNoResourceAttr(vmRes, "auto_stop_at"),
					apiVM(tn, func(v gen.VmFields) []error {
						return []error{
							wantAPI("name", v.Name, name1), wantAPI("templateId", v.TemplateId, "tpl-ubuntu-cpu"),
							wantAPI("cpu", v.Cpu, 4), wantAPI("memoryGb", v.MemoryGb, 4), wantAPI("diskGb", v.DiskGb, 20),
							wantAPI("gpuTier", v.GpuTier == nil, true), wantAPI("status", v.Status, gen.VmStatusRunning),
							wantAPI("sshKey", *v.SshKey, key),
						}
					}),
					acctest.SaveID(vmRes, &id),
				),
			},
			{ // rename and auto-stop in place
				Config: vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key", key+"\n"), "cpu = 4",
					"auto_stop_after_minutes = 600"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(vmRes, &id),
					resource.TestCheckResourceAttr(vmRes, "name", name2),
					resource.TestCheckResourceAttr(vmRes, "auto_stop_after_minutes", "600"),
					resource.TestMatchResourceAttr(vmRes, "auto_stop_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)),
					apiVM(tn, func(v gen.VmFields) []error {
						return []error{wantAPI("name", v.Name, name2), wantAPI("autoStopAfterMinutes", *v.AutoStopAfterMinutes, 600)}
					}),
				),
			},
			{ // stop in place (auto-stop turned off in the same update): no SSH endpoint while stopped
				Config: vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key", key+"\n"), "cpu = 4",
					q("state", "stopped")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(vmRes, &id),
					resource.TestCheckResourceAttr(vmRes, "state", "stopped"),
					resource.TestCheckResourceAttr(vmRes, "status", "stopped"),
					resource.TestCheckNoResourceAttr(vmRes, "ssh_host"),
					resource.TestCheckNoResourceAttr(vmRes, "auto_stop_after_minutes"),
					apiVM(tn, func(v gen.VmFields) []error {
						return []error{wantAPI("status", v.Status, gen.VmStatusStopped), wantAPI("autoStopAfterMinutes", v.AutoStopAfterMinutes == nil, true)}
					}),
				),
			},
			{ // start in place
				Config: vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key", key+"\n"), "cpu = 4"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(vmRes, &id),
					resource.TestCheckResourceAttr(vmRes, "state", "running"),
					resource.TestCheckResourceAttr(vmRes, "status", "running"),
					resource.TestCheckResourceAttrSet(vmRes, "ssh_host"),
					apiVM(tn, func(v gen.VmFields) []error { return []error{wantAPI("status", v.Status, gen.VmStatusRunning)} }),
				),
			},
			{ // a GPU template is a new VM: its tier and default sizes are planned from the catalogue
				Config: vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-mig"), q("ssh_key", key+"\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionDestroyBeforeCreate),
					expectPlanned("gpu_tier", knownvalue.StringExact("mig")),
					expectPlanned("memory_gb", knownvalue.Int64Exact(16)),
					expectPlanned("disk_gb", knownvalue.Int64Exact(50)),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(vmRes, &id),
					resource.TestCheckResourceAttr(vmRes, "gpu_tier", "mig"),
					resource.TestCheckResourceAttr(vmRes, "status", "running"),
					apiVM(tn, func(v gen.VmFields) []error {
						return []error{wantAPI("templateId", v.TemplateId, "tpl-ubuntu-mig"), wantAPI("gpuTier", *v.GpuTier, "mig"),
							wantAPI("memoryGb", v.MemoryGb, 16), wantAPI("status", v.Status, gen.VmStatusRunning)}
					}),
				),
			},
			{ // no change on a second plan
				Config:   vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-mig"), q("ssh_key", key+"\n")),
				PlanOnly: true,
			},
			{ // import by id fills every attribute (ssh_key: the API's trimmed line)
				ResourceName:            vmRes,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"ssh_key", "timeouts"},
			},
			{ // deleted outside Terraform: the refresh drops it and the plan re-creates it
				PreConfig:          acctest.DeleteOutOfBand(t, tn, &id, deleteVM),
				Config:             vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-mig"), q("ssh_key", key+"\n")),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and apply brings it back
				Config: vmConfig(tn, q("name", name2), q("template_id", "tpl-ubuntu-mig"), q("ssh_key", key+"\n")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(vmRes, &id),
					resource.TestCheckResourceAttr(vmRes, "status", "running"),
				),
			},
		},
	})
}

// TestVMCreatedStoppedWithKeyGroup: a VM authorized by a key group, shared with a team, wanted
// stopped from the start; removing a size from the configuration plans the template's default,
// which replaces the VM.
func TestVMCreatedStoppedWithKeyGroup(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	var group, team string
	if err := tn.Client.Do(context.Background(), func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateSshKeyGroup(ctx, gql, gen.CreateSshKeyGroupInput{Name: acctest.Name("grp")}, &dryRunOff)
		if err != nil {
			return err
		}
		group = out.CreateSshKeyGroup.SshKeyGroup.Id
		teamOut, err := gen.CreateTeam(ctx, gql, gen.CreateTeamInput{Name: acctest.Name("team")}, &dryRunOff)
		if err == nil {
			team = teamOut.CreateTeam.Team.Id
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	name := acctest.Name("vm")
	base := []string{q("name", name), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key_group", group), q("team_id", team), q("state", "stopped")}
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_vm", vmGone),
		Steps: []resource.TestStep{
			{
				Config: vmConfig(tn, append(base, "disk_gb = 40")...),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(vmRes, "state", "stopped"),
					resource.TestCheckResourceAttr(vmRes, "status", "stopped"),
					resource.TestCheckResourceAttr(vmRes, "disk_gb", "40"),
					resource.TestCheckResourceAttr(vmRes, "ssh_key_group", group),
					resource.TestCheckResourceAttr(vmRes, "team_id", team),
					resource.TestCheckNoResourceAttr(vmRes, "ssh_key"),
					apiVM(tn, func(v gen.VmFields) []error {
						return []error{wantAPI("status", v.Status, gen.VmStatusStopped), wantAPI("diskGb", v.DiskGb, 40),
							wantAPI("sshKeyGroup", *v.SshKeyGroup, group), wantAPI("teamId", *v.TeamId, team)}
					}),
					acctest.SaveID(vmRes, &id),
				),
			},
			{ // disk_gb left out: the template's 20 GB, a new VM (still stopped)
				Config: vmConfig(tn, base...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(vmRes, plancheck.ResourceActionDestroyBeforeCreate),
					expectPlanned("disk_gb", knownvalue.Int64Exact(20)),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(vmRes, &id),
					resource.TestCheckResourceAttr(vmRes, "disk_gb", "20"),
					resource.TestCheckResourceAttr(vmRes, "status", "stopped"),
				),
			},
			{
				ResourceName:            vmRes,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
		},
	})
}

func TestVMValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	key := acctest.PublicKey(t)
	with := func(extra ...string) string {
		return vmConfig(tn, append([]string{q("name", "ok"), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key", key)}, extra...)...)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_vm", vmGone),
		Steps: []resource.TestStep{
			{Config: vmConfig(tn, q("name", "Bad_Name"), q("template_id", "tpl-ubuntu-cpu"), q("ssh_key", key)), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)name.*lower-case letters`)},
			{Config: vmConfig(tn, q("name", "ok"), q("template_id", "tpl-ubuntu-cpu")), PlanOnly: true,
				ExpectError: regexp.MustCompile(`At least one of these attributes must be configured: \[ssh_key,ssh_key_group\]`)},
			// The catalogue is the API's, read at plan time.
			{Config: vmConfig(tn, q("name", "ok"), q("template_id", "tpl-nope"), q("ssh_key", key)), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)unknown template 'tpl-nope'; choose one of: .*tpl-ubuntu-gpu`)},
			{Config: with("cpu = 0"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)cpu.*at least 1`)},
			{Config: with("memory_gb = 0"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)memory_gb.*at least 1`)},
			{Config: with("disk_gb = 0"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)disk_gb.*at least 1`)},
			{Config: with(q("gpu_tier", "h100")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)gpu_tier.*"dedicated"`)},
			{Config: with(q("gpu_tier", "mig")), PlanOnly: true, ExpectError: regexp.MustCompile(`template tpl-ubuntu-cpu is CPU-only`)},
			{Config: with(q("state", "paused")), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)state.*"running"`)},
			{Config: with("auto_stop_after_minutes = 0"), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)auto_stop_after_minutes.*between 1 and 10080`)},
			// Maxima depend on the template: the API refuses them, and the diagnostic carries its
			// message, field and request id.
			{Config: with("cpu = 64"), ExpectError: regexp.MustCompile(`(?s)Could not create icgpu_vm.*must be between 1 and 16 for template tpl-ubuntu-cpu \(got 64\).*Field: cpu.*Request id: \S+`)},
			{Config: with("disk_gb = 5"), ExpectError: regexp.MustCompile(`(?s)Could not create icgpu_vm.*must be between 10 and 500.*Request id: \S+`)},
		},
	})
}
