package provider

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// Every catalogue's item model fits its schema: a list of one item set into a state built from
// the schema reads back the same, attribute by attribute.
func TestCatalogueModelsFitSchema(t *testing.T) {
	capacity, tier := 2, "dedicated"
	t.Run("gpu_tiers", func(t *testing.T) {
		assertFitsSchema(t, gpuTiersCatalogue(), gen.GpuTierFields{Id: "timesliced", Isolation: "none", Capacity: &capacity})
	})
	t.Run("token_packages", func(t *testing.T) {
		assertFitsSchema(t, tokenPackagesCatalogue(), gen.TokenPackageFields{Id: "pkg-growth", Name: "Growth", Tokens: 10_000_000,
			Price: 18, Currency: "USD", PricePerMillion: 1.8})
	})
	t.Run("model_catalogue", func(t *testing.T) {
		assertFitsSchema(t, modelCatalogue(), gen.CatalogueModelFields{Alias: "mistral-7b", Engine: "vllm", ContextLength: 32768, TokenMultiplier: 0.8})
	})
	t.Run("vm_templates", func(t *testing.T) {
		assertFitsSchema(t, vmTemplatesCatalogue(), gen.VmTemplateFields{Id: "tpl-ubuntu-gpu", Gpu: true, GpuTier: &tier, MaxDiskGb: 2000})
	})
}

func assertFitsSchema[A, M any](t *testing.T, c catalogue[A, M], sample A) {
	t.Helper()
	ctx := context.Background()
	var resp datasource.SchemaResponse
	c.dataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatal(diags)
	}
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	want := c.models([]A{sample})
	if diags := state.SetAttribute(ctx, path.Root(c.list), want); diags.HasError() {
		t.Fatal(diags)
	}
	var back []M
	if diags := state.GetAttribute(ctx, path.Root(c.list), &back); diags.HasError() {
		t.Fatal(diags)
	}
	if len(back) != 1 {
		t.Fatalf("round trip through the schema changed the list: %+v", back)
	}
	assertSameAttrs(t, back[0], want[0])
}

func TestCatalogueModelsOfNoItemsIsEmptyNotNil(t *testing.T) {
	if got := gpuTiersCatalogue().models(nil); got == nil || len(got) != 0 {
		t.Fatalf("no items must map to an empty list, got %#v", got)
	}
}

// Read through each data source against a canned GraphQL answer: an empty catalogue is an empty
// list (not null), and an API error is the data source's diagnostic with the API's message.
func TestCatalogueDataSourcesRead(t *testing.T) {
	for _, tc := range []struct {
		newDS      func() datasource.DataSource
		name, list string
		field      string // the query's top-level field
	}{
		{NewGPUTiersDataSource, "gpu_tiers", "tiers", "gpuTiers"},
		{NewTokenPackagesDataSource, "token_packages", "packages", "tokenPackages"},
		{NewModelCatalogueDataSource, "model_catalogue", "models", "modelCatalogue"},
		{NewVMTemplatesDataSource, "vm_templates", "templates", "vmTemplates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var meta datasource.MetadataResponse
			tc.newDS().Metadata(context.Background(), datasource.MetadataRequest{ProviderTypeName: "icgpu"}, &meta)
			if meta.TypeName != "icgpu_"+tc.name {
				t.Fatalf("type name %q", meta.TypeName)
			}

			state, diags := readCatalogue(t, tc.newDS(), `{"data":{"`+tc.field+`":[]}}`)
			if diags.HasError() {
				t.Fatal(diags)
			}
			var list types.List
			if d := state.GetAttribute(context.Background(), path.Root(tc.list), &list); d.HasError() {
				t.Fatal(d)
			}
			if list.IsNull() || list.IsUnknown() || len(list.Elements()) != 0 {
				t.Fatalf("%s = %v, want an empty list", tc.list, list)
			}

			_, diags = readCatalogue(t, tc.newDS(),
				`{"data":null,"errors":[{"message":"The key lacks the scope","extensions":{"code":"AccessDeniedException"}}]}`)
			if !diags.HasError() {
				t.Fatal("an API error must be a diagnostic")
			}
			d := diags.Errors()[0]
			if d.Summary() != "Could not read icgpu_"+tc.name || !strings.Contains(d.Detail(), "The key lacks the scope") ||
				!strings.Contains(d.Detail(), "Error type: AccessDeniedException") {
				t.Fatalf("diagnostic = %q: %q", d.Summary(), d.Detail())
			}
		})
	}
}

// readCatalogue runs ds.Read with a client whose every answer is body (HTTP 200).
func readCatalogue(t *testing.T, ds datasource.DataSource, body string) (tfsdk.State, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(client.Config{BaseURL: "http://catalogue.test", MaxRetries: -1,
		Base: roundTripFunc(func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(body))}, nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	var configure datasource.ConfigureResponse
	ds.(datasource.DataSourceWithConfigure).Configure(ctx, datasource.ConfigureRequest{ProviderData: c}, &configure)
	if configure.Diagnostics.HasError() {
		t.Fatal(configure.Diagnostics)
	}
	var schemaResp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &schemaResp)
	resp := datasource.ReadResponse{State: tfsdk.State{Schema: schemaResp.Schema,
		Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}}
	ds.Read(ctx, datasource.ReadRequest{}, &resp)
	return resp.State, resp.Diagnostics
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
