package acceptance

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const alertRes = "icgpu_spending_alert.a"

// alertConfig is a provider block and one icgpu_spending_alert "a" with these argument lines.
func alertConfig(tn *acctest.Tenant, args ...string) string {
	return tn.ProviderBlock() + "\nresource \"icgpu_spending_alert\" \"a\" {\n  " + strings.Join(args, "\n  ") + "\n}\n"
}

func spendingAlertExists(ctx context.Context, gql graphql.Client, id string) error {
	_, err := gen.GetSpendingAlert(ctx, gql, id)
	return err
}

func deleteSpendingAlert(ctx context.Context, gql graphql.Client, id string) error {
	_, err := gen.DeleteSpendingAlert(ctx, gql, id, &dryRunOff)
	return err
}

// checkAlertMatchesAPI compares the state with the API's alert, and the API's alert with what
// the configuration asked for.
func checkAlertMatchesAPI(tn *acctest.Tenant, name string, threshold int, via gen.NotifyVia) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[alertRes]
		if !ok {
			return fmt.Errorf("%s not in state", alertRes)
		}
		a := rs.Primary.Attributes
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.GetSpendingAlert(ctx, gql, rs.Primary.ID)
			if err != nil {
				return err
			}
			al := out.SpendingAlert
			fired := ""
			if al.LastFiredAt != nil {
				fired = al.LastFiredAt.UTC().Format(time.RFC3339)
			}
			for _, err := range []error{
				wantAPI("name", al.Name, name), wantAPI("threshold", al.Threshold, threshold), wantAPI("notifyVia", al.NotifyVia, via),
				wantAPI("state name", a["name"], al.Name), wantAPI("state threshold", a["threshold"], strconv.Itoa(al.Threshold)),
				wantAPI("state notify_via", a["notify_via"], strings.ToLower(string(al.NotifyVia))),
				wantAPI("state armed", a["armed"], strconv.FormatBool(al.Armed)), wantAPI("state last_fired_at", a["last_fired_at"], fired),
				wantAPI("state created_at", a["created_at"], al.CreatedAt.UTC().Format(time.RFC3339)),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// TestSpendingAlertLifecycle: create (notify_via defaults to webhook, shown in the plan), read
// back, the threshold changed in place (PATCH), then the name and notify_via in place, replacement
// of a tainted alert, import by id, drift after an out-of-band delete, destroy.
func TestSpendingAlertLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	name := "Low balance warning " + acctest.Name("a")
	var id string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_spending_alert", spendingAlertExists),
		Steps: []resource.TestStep{
			{
				Config: alertConfig(tn, q("name", name), "threshold = 100000"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertRes, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(alertRes, tfjsonpath.New("notify_via"), knownvalue.StringExact("webhook")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(alertRes, "id", regexp.MustCompile(`^alert-`)),
					resource.TestCheckResourceAttr(alertRes, "notify_via", "webhook"),
					resource.TestCheckResourceAttr(alertRes, "armed", "false"), // a new tenant's balance is 0
					resource.TestCheckNoResourceAttr(alertRes, "last_fired_at"),
					checkAlertMatchesAPI(tn, name, 100000, gen.NotifyViaWebhook),
					acctest.SaveID(alertRes, &id),
				),
			},
			{ // the threshold changes in place
				Config: alertConfig(tn, q("name", name), "threshold = 50000"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(alertRes, &id),
					resource.TestCheckResourceAttr(alertRes, "threshold", "50000"),
					checkAlertMatchesAPI(tn, name, 50000, gen.NotifyViaWebhook),
				),
			},
			{ // so do the name and the channel
				Config: alertConfig(tn, q("name", name+" (in app)"), "threshold = 50000", q("notify_via", "in_app")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertRes, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDSame(alertRes, &id),
					checkAlertMatchesAPI(tn, name+" (in app)", 50000, gen.NotifyViaInApp),
				),
			},
			{ // a purchase lifts the balance above the threshold outside Terraform: the refresh reads the alert armed
				PreConfig: func() {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					pkg := "pkg-starter" // 1,000,000 tokens
					if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
						_, err := gen.PurchaseTokens(ctx, gql, gen.PurchaseTokensInput{PackageId: &pkg}, &dryRunOff)
						return err
					}); err != nil {
						t.Fatalf("purchase: %v", err)
					}
				},
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(alertRes, "armed", "true"),
					checkAlertMatchesAPI(tn, name+" (in app)", 50000, gen.NotifyViaInApp),
				),
			},
			{ // a tainted alert is replaced by a new one
				Config: alertConfig(tn, q("name", name+" (in app)"), "threshold = 50000", q("notify_via", "in_app")),
				Taint:  []string{alertRes},
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertRes, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(alertRes, &id),
					checkAlertMatchesAPI(tn, name+" (in app)", 50000, gen.NotifyViaInApp),
				),
			},
			{ // import by id fills every attribute
				ResourceName:      alertRes,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{ // deleted outside Terraform: the refresh drops it and the plan re-creates it
				PreConfig:          acctest.DeleteOutOfBand(t, tn, &id, deleteSpendingAlert),
				Config:             alertConfig(tn, q("name", name+" (in app)"), "threshold = 50000", q("notify_via", "in_app")),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{ // and apply brings it back
				Config: alertConfig(tn, q("name", name+" (in app)"), "threshold = 50000", q("notify_via", "in_app")),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(alertRes, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(alertRes, &id),
					checkAlertMatchesAPI(tn, name+" (in app)", 50000, gen.NotifyViaInApp),
				),
			},
		},
	})
}

// TestSpendingAlertValidation: what the API would refuse is refused at plan time; the API's own
// refusal (a key without the tokens scope) arrives with its type and request id.
func TestSpendingAlertValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	narrow := withReadKey(t, tn, "no-tokens", "models")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_spending_alert", spendingAlertExists),
		Steps: []resource.TestStep{
			{Config: alertConfig(tn, q("name", "a"), "threshold = 10", q("notify_via", "email")), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)notify_via.*"webhook".*"in_app"`)},
			{Config: alertConfig(tn, q("name", "a"), "threshold = 0"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)threshold.*between 1 and 2147483647`)},
			{Config: alertConfig(tn, q("name", "a"), "threshold = 2147483648"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)threshold.*between 1 and 2147483647`)},
			{Config: alertConfig(tn, q("name", ""), "threshold = 10"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)name.*length must be between 1 and 100`)},
			{Config: alertConfig(tn, q("name", " padded"), "threshold = 10"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`must not start or end with white space`)},
			{Config: alertConfig(tn, q("name", "tab\there"), "threshold = 10"), PlanOnly: true,
				ExpectError: regexp.MustCompile(`must not contain control characters \(found U\+0009\)`)},
			// The API's own refusal: the key lacks the tokens scope.
			{Config: alertConfig(narrow, q("name", "a"), "threshold = 10"),
				ExpectError: regexp.MustCompile(`(?s)Could not create icgpu_spending_alert.*tokens.*Error type: \w+.*Request id: \S+`)},
		},
	})
}
