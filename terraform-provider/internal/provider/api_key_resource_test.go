package provider

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestAPIKeyFromAPIKeepsSecretAndDays(t *testing.T) {
	created := time.Date(2026, 11, 27, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	expires := created.Add(30 * 24 * time.Hour)
	revoked := created.Add(time.Hour)
	k := gen.ApiKeyFields{
		Id: "ak-1", Name: "ci", Prefix: "sk-ic-abcd", Scopes: []string{"instances", "models"},
		Permissions: []string{"read", "write"}, CreatedAt: created, ExpiresAt: &expires, RevokedAt: &revoked,
	}
	prior := apiKeyModel{Key: types.StringValue("sk-ic-secret"), ExpiresInDays: types.Int64Value(30)}
	got := apiKeyFromAPI(k, prior)
	want := apiKeyModel{
		ID:            types.StringValue("ak-1"),
		Name:          types.StringValue("ci"),
		Scopes:        stringSet([]string{"models", "instances"}),
		Permissions:   stringSet([]string{"write", "read"}),
		ExpiresInDays: types.Int64Value(30),
		Prefix:        types.StringValue("sk-ic-abcd"),
		Key:           types.StringValue("sk-ic-secret"),
		ExpiresAt:     types.StringValue("2026-12-27T09:30:00Z"),
		CreatedAt:     types.StringValue("2026-11-27T09:30:00Z"),
	}
	assertSameAttrs(t, got, want) // sets compare regardless of order
}

func TestAPIKeyFromAPIImportHasNoSecret(t *testing.T) {
	k := gen.ApiKeyFields{Id: "ak-2", Name: "n", Prefix: "p", Scopes: []string{"keys"}, Permissions: []string{"read"}, CreatedAt: time.Unix(0, 0)}
	// After an import the prior state holds only the id: key and expires_in_days stay null.
	got := apiKeyFromAPI(k, apiKeyModel{ID: types.StringValue("ak-2"), Key: types.StringNull(), ExpiresInDays: types.Int64Null()})
	if !got.Key.IsNull() || !got.ExpiresInDays.IsNull() {
		t.Fatalf("import must leave key and expires_in_days null, got key=%v days=%v", got.Key, got.ExpiresInDays)
	}
	if !got.ExpiresAt.IsNull() {
		t.Fatalf("a key without expiry must have expires_at null, got %v", got.ExpiresAt)
	}
	// An unknown prior (a create's plan) never reaches the state as unknown.
	got = apiKeyFromAPI(k, apiKeyModel{Key: types.StringUnknown(), ExpiresInDays: types.Int64Unknown()})
	if !got.Key.IsNull() || !got.ExpiresInDays.IsNull() {
		t.Fatalf("unknown prior values must become null, got key=%v days=%v", got.Key, got.ExpiresInDays)
	}
}

func TestAPIKeyInput(t *testing.T) {
	ctx := context.Background()
	plan := apiKeyModel{
		Name:          types.StringValue("ci"),
		Scopes:        stringSet([]string{"instances"}),
		Permissions:   stringSet([]string{"read", "write"}),
		ExpiresInDays: types.Int64Value(90),
	}
	in, diags := apiKeyInput(ctx, plan)
	if diags.HasError() {
		t.Fatal(diags)
	}
	days := 90
	want := gen.CreateApiKeyInput{Name: "ci", Scopes: []string{"instances"}, Permissions: []string{"read", "write"}, ExpiresInDays: &days}
	if in.Name != want.Name || !reflect.DeepEqual(in.Scopes, want.Scopes) || !sameStrings(in.Permissions, want.Permissions) ||
		in.ExpiresInDays == nil || *in.ExpiresInDays != 90 {
		t.Fatalf("apiKeyInput = %+v, want %+v", in, want)
	}
	// No expiry and permissions not yet known: no expiresInDays, the API's default permission.
	plan.ExpiresInDays = types.Int64Null()
	plan.Permissions = types.SetUnknown(types.StringType)
	in, diags = apiKeyInput(ctx, plan)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if in.ExpiresInDays != nil || !reflect.DeepEqual(in.Permissions, []string{"read"}) {
		t.Fatalf("apiKeyInput without expiry = %+v", in)
	}
}

func TestAPIKeySchemaValidatesLikeTheAPI(t *testing.T) {
	var resp resource.SchemaResponse
	NewAPIKeyResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatal(diags)
	}
	key := resp.Schema.Attributes["key"]
	if !key.IsSensitive() || !key.IsComputed() || key.IsOptional() {
		t.Fatal("key must be computed-only and sensitive")
	}
	perms := resp.Schema.Attributes["permissions"]
	if !perms.IsOptional() || !perms.IsComputed() {
		t.Fatal("permissions must be optional with a default")
	}
	// The scope catalogue must be the server's (principal.py ALL_SCOPES), in its order.
	want := []string{"instances", "vms", "clusters", "models", "functions", "fine_tuning", "files", "batch", "webhooks", "keys", "teams", "tokens"}
	if !reflect.DeepEqual(apiKeyScopes, want) {
		t.Fatalf("apiKeyScopes = %v, want %v", apiKeyScopes, want)
	}
}

func TestStringSet(t *testing.T) {
	s := stringSet([]string{"b", "a"})
	want := types.SetValueMust(types.StringType, []attr.Value{types.StringValue("a"), types.StringValue("b")})
	if !s.Equal(want) {
		t.Fatalf("stringSet = %v, want %v", s, want)
	}
	if got := stringSet(nil); got.IsNull() || len(got.Elements()) != 0 {
		t.Fatalf("stringSet(nil) = %v, want an empty set", got)
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, v := range a {
		seen[v]++
	}
	for _, v := range b {
		seen[v]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
