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

// withReadKey is tn with a new API key of its own, named name, that may only read scopes.
func withReadKey(t *testing.T, tn *acctest.Tenant, name string, scopes ...string) *acctest.Tenant {
	t.Helper()
	restricted := *tn
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateApiKey(ctx, gql, gen.CreateApiKeyInput{Name: name, Scopes: scopes, Permissions: []string{"read"}}, &dryRunOff)
		if err == nil && out.CreateApiKey.Key == nil {
			err = fmt.Errorf("the API created key %s without returning its secret", name)
		}
		if err == nil {
			restricted.APIKey = *out.CreateApiKey.Key
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return &restricted
}

// apiList is a catalogue as the API lists it now, read with tn's key (bounded by 30 s).
func apiList[A any](tn *acctest.Tenant, fetch func(context.Context, graphql.Client) ([]A, error)) ([]A, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var items []A
	err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		var err error
		items, err = fetch(ctx, gql)
		return err
	})
	return items, err
}

// checkListMatchesAPI compares the list attribute `list` of data source `data`, item by item and
// attribute by attribute, with the API's list: the same count (at least minItems), the same order
// and every value the API's. attrs is an API item's attributes as the state must hold them: a
// float64 compares by value, anything else as its fmt.Sprint text ("" for null, see orEmpty).
func checkListMatchesAPI[A any](tn *acctest.Tenant, data, list string, minItems int,
	fetch func(context.Context, graphql.Client) ([]A, error), attrs func(A) map[string]any) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		items, err := apiList(tn, fetch)
		if err != nil {
			return err
		}
		a := s.RootModule().Resources[data].Primary.Attributes
		if got := a[list+".#"]; got != strconv.Itoa(len(items)) || len(items) < minItems {
			return fmt.Errorf("state has %s %s, the API %d (want at least %d)", got, list, len(items), minItems)
		}
		for i, item := range items {
			for name, want := range attrs(item) {
				key := fmt.Sprintf("%s.%d.%s", list, i, name)
				got := a[key]
				if w, isFloat := want.(float64); isFloat {
					if g, err := strconv.ParseFloat(got, 64); err != nil || g != w {
						return fmt.Errorf("%s = %q, the API says %v", key, got, w)
					}
				} else if got != fmt.Sprint(want) {
					return fmt.Errorf("%s = %q, the API says %q", key, got, fmt.Sprint(want))
				}
			}
		}
		return nil
	}
}

// orEmpty is an optional API value as the state's text shows it: "" for null.
func orEmpty[T any](v *T) any {
	if v == nil {
		return ""
	}
	return *v
}

// fragments unwraps a generated query's items into their shared fragment type, in order.
func fragments[W, A any](items []W, fragment func(W) A) []A {
	out := make([]A, 0, len(items))
	for _, w := range items {
		out = append(out, fragment(w))
	}
	return out
}
