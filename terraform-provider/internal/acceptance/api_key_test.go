package acceptance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

const apiKeyRes = "icgpu_api_key.k"

// apiKeyConfig is one icgpu_api_key; body holds the arguments after name.
func apiKeyConfig(tn *acctest.Tenant, name, body string) string {
	return tn.ProviderBlock() + fmt.Sprintf(`
resource "icgpu_api_key" "k" {
  name = %q
  %s
}
`, name, body)
}

func TestAPIKeyLifecycle(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	name := acctest.Name("key")
	// A repeated scope is one scope: scopes is a set.
	first := `scopes = ["models", "instances", "instances"]
  permissions = ["write", "read"]
  expires_in_days = 30`
	second := `scopes = ["instances"]
  permissions = ["write", "read"]
  expires_in_days = 30`
	var id, secret string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_api_key", apiKeyLive),
		Steps: []resource.TestStep{
			{ // create, read back against the API; the secret works
				Config: apiKeyConfig(tn, name, first),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestMatchResourceAttr(apiKeyRes, "id", regexp.MustCompile(`^ak-`)),
					resource.TestCheckResourceAttr(apiKeyRes, "name", name),
					resource.TestCheckResourceAttr(apiKeyRes, "scopes.#", "2"),
					resource.TestCheckTypeSetElemAttr(apiKeyRes, "scopes.*", "instances"),
					resource.TestCheckTypeSetElemAttr(apiKeyRes, "scopes.*", "models"),
					resource.TestCheckResourceAttr(apiKeyRes, "permissions.#", "2"),
					resource.TestCheckResourceAttr(apiKeyRes, "expires_in_days", "30"),
					resource.TestMatchResourceAttr(apiKeyRes, "key", regexp.MustCompile(`^sk-ic-`)),
					resource.TestMatchResourceAttr(apiKeyRes, "created_at", regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)),
					checkExpiresIn(apiKeyRes, 30*24*time.Hour),
					acctest.CheckAPI(tn, apiKeyRes, func(ctx context.Context, gql graphql.Client, id string) error {
						out, err := gen.GetApiKey(ctx, gql, id)
						if err != nil {
							return err
						}
						k := out.ApiKey
						if k.Name != name || !slices.Equal(k.Scopes, []string{"instances", "models"}) || !slices.Equal(k.Permissions, []string{"read", "write"}) {
							return fmt.Errorf("API has %q %v %v", k.Name, k.Scopes, k.Permissions)
						}
						return nil
					}),
					checkStateMatchesAPI(tn, apiKeyRes),
					checkKeyWorks(tn, apiKeyRes, []string{"instances", "models"}),
					saveIDAndSecret(apiKeyRes, &id, &secret),
				),
			},
			{ // a scopes change replaces the key; the old one is revoked
				Config: apiKeyConfig(tn, name, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apiKeyRes, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkRevoked(t, tn, &id, &secret),
					acctest.CheckIDChanged(apiKeyRes, &id),
					checkKeyWorks(tn, apiKeyRes, []string{"instances"}),
					saveIDAndSecret(apiKeyRes, &id, &secret),
				),
			},
			{ // import fills everything but the secret and expires_in_days
				ResourceName:            apiKeyRes,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"key", "expires_in_days"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("imported %d instances, want 1", len(states))
					}
					if v := states[0].Attributes["key"]; v != "" {
						return fmt.Errorf("an imported key has no secret, got %q", v)
					}
					if v := states[0].Attributes["expires_in_days"]; v != "" {
						return fmt.Errorf("an imported key has no expires_in_days, got %q", v)
					}
					return nil
				},
			},
			{ // revoked outside Terraform: it reads as gone and the plan re-creates it
				PreConfig: acctest.DeleteOutOfBand(t, tn, &id, func(ctx context.Context, gql graphql.Client, id string) error {
					_, err := gen.RevokeApiKey(ctx, gql, id, &dryRunOff)
					return err
				}),
				Config:             apiKeyConfig(tn, name, second),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: apiKeyConfig(tn, name, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(apiKeyRes, plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CheckIDChanged(apiKeyRes, &id),
					checkKeyWorks(tn, apiKeyRes, []string{"instances"}),
				),
			},
		},
	})
}

// TestAPIKeySecretUnavailable loses the answer to the first createApiKey (a proxy answers 502
// after the server committed); the transport's retry gets the server's replay, without the
// secret. The provider must revoke that key and create a working one.
func TestAPIKeySecretUnavailable(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	proxy := acctest.NewLossyProxy(t, tn.URL, "createApiKey")
	name := acctest.Name("lost")
	var lostID, lostSecret string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		CheckDestroy:             acctest.CheckGone(tn, "icgpu_api_key", apiKeyLive),
		Steps: []resource.TestStep{{
			Config: apiKeyConfig(tn.Via(proxy.URL), name, `scopes = ["keys"]`),
			Check: resource.ComposeAggregateTestCheckFunc(
				// The default permission.
				resource.TestCheckResourceAttr(apiKeyRes, "permissions.#", "1"),
				resource.TestCheckTypeSetElemAttr(apiKeyRes, "permissions.*", "read"),
				resource.TestCheckNoResourceAttr(apiKeyRes, "expires_at"),
				func(*terraform.State) error {
					var err error
					lostID, lostSecret, err = lostKey(proxy)
					if err == nil && proxy.Requests() < 3 {
						err = fmt.Errorf("the proxy saw %d createApiKey requests, want the lost one, its replay and a new create", proxy.Requests())
					}
					return err
				},
				func(s *terraform.State) error {
					if id := s.RootModule().Resources[apiKeyRes].Primary.ID; id == lostID {
						return fmt.Errorf("the state kept the key whose secret was lost (%s)", id)
					}
					return nil
				},
				checkKeyWorks(tn, apiKeyRes, []string{"keys"}),
				checkRevoked(t, tn, &lostID, &lostSecret),
				checkStateMatchesAPI(tn, apiKeyRes),
			),
		}},
	})
}

func TestAPIKeyValidation(t *testing.T) {
	t.Parallel()
	tn := acctest.NewTenant(t)
	// A credential that may manage keys but holds no other scope: the API refuses a key beyond it.
	narrow := narrowKey(t, tn)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProviderFactories,
		Steps: []resource.TestStep{
			{Config: apiKeyConfig(tn, "k", `scopes = ["instances", "gpus"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)scopes.*value must be one of`)},
			{Config: apiKeyConfig(tn, "k", `scopes = []`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)scopes.*at least 1`)},
			{Config: apiKeyConfig(tn, "k", `scopes = ["instances"]
  permissions = ["admin"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)permissions.*value must be one of`)},
			{Config: apiKeyConfig(tn, "k", `scopes = ["instances"]
  expires_in_days = 0`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)expires_in_days.*between 1 and 3650`)},
			{Config: apiKeyConfig(tn, "k", `scopes = ["instances"]
  expires_in_days = 3651`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)expires_in_days.*between 1 and 3650`)},
			{Config: apiKeyConfig(tn, "", `scopes = ["instances"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)name.*length must be between 1 and 100`)},
			{Config: apiKeyConfig(tn, strings.Repeat("n", 101), `scopes = ["instances"]`), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)name.*length must be between 1 and 100`)},
			// The API's own refusal arrives with its message, type and request id.
			{
				Config:      apiKeyConfig(narrow, "k", `scopes = ["instances"]`),
				ExpectError: regexp.MustCompile(`(?s)not yours to\s+give.*Error type: \S+.*Request id: \S+`),
			},
		},
	})
}

// apiKeyLive is a lookup for CheckGone: a revoked key counts as gone (the API answers 404 for it;
// a revokedAt in an answer is treated the same).
func apiKeyLive(ctx context.Context, gql graphql.Client, id string) error {
	out, err := gen.GetApiKey(ctx, gql, id)
	if err == nil && out.ApiKey.RevokedAt != nil {
		return &client.APIError{Status: http.StatusNotFound, Message: "revoked"}
	}
	return err
}

func saveIDAndSecret(res string, id, secret *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[res]
		if !ok {
			return fmt.Errorf("%s not in state", res)
		}
		*id, *secret = rs.Primary.ID, rs.Primary.Attributes["key"]
		return nil
	}
}

// checkKeyWorks calls the API with the key in state: GetViewer must answer as that key, with scopes.
func checkKeyWorks(tn *acctest.Tenant, res string, scopes []string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[res]
		if !ok {
			return fmt.Errorf("%s not in state", res)
		}
		secret := rs.Primary.Attributes["key"]
		if secret == "" {
			return fmt.Errorf("%s has no key in state", res)
		}
		v, err := viewerWith(tn, secret)
		if err != nil {
			return fmt.Errorf("the key in state does not work: %w", err)
		}
		if v.ApiKeyId == nil || *v.ApiKeyId != rs.Primary.ID || v.CredentialType != "api_key" {
			return fmt.Errorf("GetViewer with the key in state answered as %v (%s), want key %s", v.ApiKeyId, v.CredentialType, rs.Primary.ID)
		}
		if !slices.Equal(v.Scopes, scopes) {
			return fmt.Errorf("the key has scopes %v, want %v", v.Scopes, scopes)
		}
		return nil
	}
}

// checkRevoked: the key *id is gone from the API and its secret *secret is refused (polled for a
// bounded time, in case the server's credential cache still holds it).
func checkRevoked(t *testing.T, tn *acctest.Tenant, id, secret *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		t.Helper()
		if *id == "" || *secret == "" {
			return fmt.Errorf("checkRevoked: no saved key")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error { return apiKeyLive(ctx, gql, *id) })
		if !client.IsNotFound(err) {
			return fmt.Errorf("key %s should be revoked; GetApiKey answered %v", *id, err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, err := viewerWith(tn, *secret)
			var apiErr *client.APIError
			if err != nil && errors.As(err, &apiErr) && apiErr.Status == http.StatusUnauthorized {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the revoked key %s still authenticates (GetViewer: %v)", *id, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// checkStateMatchesAPI compares the state's computed attributes with GetApiKey's answer.
func checkStateMatchesAPI(tn *acctest.Tenant, res string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[res]
		if !ok {
			return fmt.Errorf("%s not in state", res)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var k gen.ApiKeyFields
		err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
			out, err := gen.GetApiKey(ctx, gql, rs.Primary.ID)
			if err == nil {
				k = out.ApiKey.ApiKeyFields
			}
			return err
		})
		if err != nil {
			return err
		}
		a := rs.Primary.Attributes
		want := map[string]string{"name": k.Name, "prefix": k.Prefix, "created_at": k.CreatedAt.UTC().Format(time.RFC3339), "expires_at": ""}
		if k.ExpiresAt != nil {
			want["expires_at"] = k.ExpiresAt.UTC().Format(time.RFC3339)
		}
		for attr, v := range want {
			if a[attr] != v {
				return fmt.Errorf("%s.%s = %q, the API says %q", res, attr, a[attr], v)
			}
		}
		if !strings.HasPrefix(a["key"], k.Prefix) {
			return fmt.Errorf("the key in state does not start with the API's prefix %q", k.Prefix)
		}
		return nil
	}
}

// checkExpiresIn: expires_at is about d after created_at.
func checkExpiresIn(res string, d time.Duration) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := s.RootModule().Resources[res].Primary.Attributes
		created, err1 := time.Parse(time.RFC3339, a["created_at"])
		expires, err2 := time.Parse(time.RFC3339, a["expires_at"])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("created_at %q / expires_at %q: %v %v", a["created_at"], a["expires_at"], err1, err2)
		}
		if got := expires.Sub(created); got < d-time.Minute || got > d+time.Minute {
			return fmt.Errorf("expires_at is %s after created_at, want %s", got, d)
		}
		return nil
	}
}

func viewerWith(tn *acctest.Tenant, secret string) (gen.ViewerFields, error) {
	c, err := client.New(client.Config{BaseURL: tn.URL, APIKey: secret, MaxRetries: -1})
	if err != nil {
		return gen.ViewerFields{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var v gen.ViewerFields
	err = c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetViewer(ctx, gql)
		if err == nil {
			v = out.Viewer.ViewerFields
		}
		return err
	})
	return v, err
}

// lostKey is the id and secret in the answer the proxy kept from the client.
func lostKey(p *acctest.LossyProxy) (string, string, error) {
	body := p.Lost()
	if body == nil {
		return "", "", fmt.Errorf("the proxy lost no answer")
	}
	var out struct {
		Data struct {
			CreateApiKey struct {
				Key    *string `json:"key"`
				ApiKey struct {
					ID string `json:"id"`
				} `json:"apiKey"`
			} `json:"createApiKey"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", "", fmt.Errorf("lost answer %q: %w", body, err)
	}
	c := out.Data.CreateApiKey
	if c.ApiKey.ID == "" || c.Key == nil {
		return "", "", fmt.Errorf("the lost answer holds no created key: %s", body)
	}
	return c.ApiKey.ID, *c.Key, nil
}

// narrowKey makes, outside Terraform, a key of the tenant's owner with only the "keys" scope
// (read and write), and returns a tenant whose provider block uses it.
func narrowKey(t *testing.T, tn *acctest.Tenant) *acctest.Tenant {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var secret string
	err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateApiKey(ctx, gql, gen.CreateApiKeyInput{Name: "narrow", Scopes: []string{"keys"}, Permissions: []string{"read", "write"}}, &dryRunOff)
		if err == nil && out.CreateApiKey.Key != nil {
			secret = *out.CreateApiKey.Key
		}
		return err
	})
	if err != nil || secret == "" {
		t.Fatalf("creating a narrow key: %v", err)
	}
	return &acctest.Tenant{APIKey: secret, URL: tn.URL, Client: tn.Client}
}
