package acceptance

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const gpuTiersData = "data.icgpu_gpu_tiers.all"

// TestGPUTiersDataSource reads the tiers from a server of its own with a small inventory (so
// other tests' instances cannot move the live numbers), after one dedicated GPU was taken by an
// instance: every value must be the API's, and the capacity must be live.
func TestGPUTiersDataSource(t *testing.T) {
	t.Parallel()
	srv, err := acctest.StartServer(map[string]string{"ICGPU_LOCAL_INVENTORY": "dedicated=1,mig=1x3,timesliced=2x2"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	tn := acctest.NewTenantOn(t, srv)
	takeDedicatedGPU(t, tn)

	want := map[string][2]int{"dedicated": {1, 0}, "mig": {3, 3}, "timesliced": {4, 4}} // capacity, available
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{{
			Config: tn.ProviderBlock() + `data "icgpu_gpu_tiers" "all" {}` + "\n",
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(gpuTiersData, "tiers.#", "3"),
				checkTiersMatchAPI(tn),
				func(s *terraform.State) error {
					a := s.RootModule().Resources[gpuTiersData].Primary.Attributes
					seen := map[string]bool{}
					for i := range 3 {
						id := a[fmt.Sprintf("tiers.%d.id", i)]
						w, ok := want[id]
						if !ok {
							continue
						}
						seen[id] = true
						got := [2]string{a[fmt.Sprintf("tiers.%d.capacity", i)], a[fmt.Sprintf("tiers.%d.available", i)]}
						if got != [2]string{strconv.Itoa(w[0]), strconv.Itoa(w[1])} {
							return fmt.Errorf("tier %s: capacity/available %v, want %v", id, got, w)
						}
					}
					for id := range want {
						if !seen[id] {
							return fmt.Errorf("tier %s missing", id)
						}
					}
					return nil
				},
				resource.TestCheckTypeSetElemNestedAttrs(gpuTiersData, "tiers.*", map[string]string{
					"id": "dedicated", "isolation": "full", "gpu_memory_gb": "80", "price_per_hour": "2.49", "batch_price_per_hour": "1.245",
				}),
				resource.TestCheckTypeSetElemNestedAttrs(gpuTiersData, "tiers.*", map[string]string{"id": "mig", "isolation": "hardware"}),
				resource.TestCheckTypeSetElemNestedAttrs(gpuTiersData, "tiers.*", map[string]string{"id": "timesliced", "isolation": "none"}),
			),
		}},
	})
}

// checkTiersMatchAPI compares every tier in state, attribute by attribute, with ListGpuTiers.
func checkTiersMatchAPI(tn *acctest.Tenant) resource.TestCheckFunc {
	return checkListMatchesAPI(tn, gpuTiersData, "tiers", 1, apiGPUTiers, func(t gen.GpuTierFields) map[string]any {
		return map[string]any{
			"id": t.Id, "name": t.Name, "isolation": t.Isolation, "description": t.Description, "gpu_memory_gb": t.GpuMemoryGb,
			"price_per_hour": t.PricePerHour, "batch_price_per_hour": t.BatchPricePerHour,
			"capacity": orEmpty(t.Capacity), "available": orEmpty(t.Available),
		}
	})
}

// takeDedicatedGPU creates an instance on the only dedicated GPU, outside Terraform, and waits
// (bounded) until the tier list shows it taken.
func takeDedicatedGPU(t *testing.T, tn *acctest.Tenant) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.CreateInstance(ctx, gql, gen.CreateInstanceInput{
			Name: acctest.Name("tiers"), Tier: "dedicated", StorageGb: 50, WorkloadType: gen.WorkloadTypeInteractive,
		}, &dryRunOff)
		return err
	})
	if err != nil {
		t.Fatalf("creating an instance: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		tiers, err := listTiers(tn)
		if err != nil {
			t.Fatal(err)
		}
		for _, tier := range tiers {
			if tier.Id == "dedicated" && tier.Available != nil && *tier.Available == 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dedicated GPU is still free 30 s after an instance asked for it: %+v", tiers)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func listTiers(tn *acctest.Tenant) ([]gen.GpuTierFields, error) { return apiList(tn, apiGPUTiers) }

func apiGPUTiers(ctx context.Context, gql graphql.Client) ([]gen.GpuTierFields, error) {
	out, err := gen.ListGpuTiers(ctx, gql)
	if err != nil {
		return nil, err
	}
	return fragments(out.GpuTiers, func(t gen.ListGpuTiersGpuTiersGpuTier) gen.GpuTierFields { return t.GpuTierFields }), nil
}
