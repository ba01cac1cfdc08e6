// Package provider is the icgpu Terraform provider: its configuration, and the resources and data
// sources listed in registry.go.
package provider

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
)

// Address is the provider's source address.
const Address = "registry.terraform.io/ic-gpu/icgpu"

// Environment variables the provider block falls back to.
const (
	EnvAPIKey  = "ICGPU_API_KEY"
	EnvBaseURL = "ICGPU_BASE_URL"
)

var _ provider.Provider = (*icgpuProvider)(nil)

type icgpuProvider struct {
	version string
}

// New returns the provider factory for providerserver.Serve and the acceptance tests.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &icgpuProvider{version: version} }
}

type providerModel struct {
	APIKey     types.String `tfsdk:"api_key"`
	BaseURL    types.String `tfsdk:"base_url"`
	MaxRetries types.Int64  `tfsdk:"max_retries"`
}

func (p *icgpuProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "icgpu"
	resp.Version = p.version
}

func (p *icgpuProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manage IC GPU resources (instances, SSH keys, API keys) through the platform's GraphQL API.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				Optional:    true,
				Sensitive:   true,
				Description: "An API key (sk-ic-...). Falls back to the " + EnvAPIKey + " environment variable.",
			},
			"base_url": schema.StringAttribute{
				Optional:    true,
				Description: "The server's root URL, e.g. https://gpu.example.com. Falls back to " + EnvBaseURL + ".",
			},
			"max_retries": schema.Int64Attribute{
				Optional:    true,
				Description: "Retries of a request answered 429, 502 or 503 or cut off before an answer (default 5).",
			},
		},
	}
}

func (p *icgpuProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.APIKey.IsUnknown() || cfg.BaseURL.IsUnknown() {
		// Values that come from resources not yet created: the provider is configured again later.
		return
	}
	apiKey := strings.TrimSpace(firstSet(cfg.APIKey, os.Getenv(EnvAPIKey)))
	baseURL := strings.TrimSpace(firstSet(cfg.BaseURL, os.Getenv(EnvBaseURL)))
	if apiKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing IC GPU API key",
			"Set api_key in the provider \"icgpu\" block or the "+EnvAPIKey+" environment variable to an API key (sk-ic-...).")
	}
	if baseURL == "" {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Missing IC GPU base URL",
			"Set base_url in the provider \"icgpu\" block or the "+EnvBaseURL+" environment variable to the server's root URL, e.g. https://gpu.example.com.")
	}
	retries := 5
	if !cfg.MaxRetries.IsNull() {
		retries = int(cfg.MaxRetries.ValueInt64())
		if retries < 0 || retries > 20 {
			resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries", "max_retries must be between 0 and 20.")
		}
		if retries == 0 {
			retries = -1 // client.Config: negative means none
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := client.New(client.Config{
		BaseURL:    baseURL,
		APIKey:     apiKey,
		UserAgent:  "terraform-provider-icgpu/" + p.version,
		MaxRetries: retries,
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid IC GPU base URL", err.Error())
		return
	}
	resp.ResourceData = c
	resp.DataSourceData = c
}

func (p *icgpuProvider) Resources(context.Context) []func() resource.Resource { return resources }

func (p *icgpuProvider) DataSources(context.Context) []func() datasource.DataSource {
	return dataSources
}

func firstSet(v types.String, fallback string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	return fallback
}
