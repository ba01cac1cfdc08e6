package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var _ datasource.DataSourceWithConfigure = (*tokenPackagesDataSource)(nil)

// NewTokenPackagesDataSource is data.icgpu_token_packages: the token packages on offer, with
// their prices (read with the tokens scope).
func NewTokenPackagesDataSource() datasource.DataSource { return &tokenPackagesDataSource{} }

type tokenPackagesDataSource struct {
	client *client.Client
}

type tokenPackagesModel struct {
	Packages []tokenPackageModel `tfsdk:"packages"`
}

type tokenPackageModel struct {
	ID              types.String  `tfsdk:"id"`
	Name            types.String  `tfsdk:"name"`
	Tokens          types.Int64   `tfsdk:"tokens"`
	Price           types.Float64 `tfsdk:"price"`
	Currency        types.String  `tfsdk:"currency"`
	PricePerMillion types.Float64 `tfsdk:"price_per_million"`
}

func (d *tokenPackagesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_token_packages"
}

func (d *tokenPackagesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Every token package on offer, smallest first, with its price (needs the tokens scope with read).",
		Attributes: map[string]schema.Attribute{
			"packages": schema.ListNestedAttribute{
				Computed:    true,
				Description: "The packages, in the API's order (smallest first).",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                schema.StringAttribute{Computed: true, Description: "The package's id, as a purchase's packageId takes it (pkg-...)."},
					"name":              schema.StringAttribute{Computed: true, Description: "Display name."},
					"tokens":            schema.Int64Attribute{Computed: true, Description: "Tokens the package adds to the balance."},
					"price":             schema.Float64Attribute{Computed: true, Description: "The package's price, in currency."},
					"currency":          schema.StringAttribute{Computed: true, Description: "The price's currency (ISO 4217, e.g. USD)."},
					"price_per_million": schema.Float64Attribute{Computed: true, Description: "The price of a million tokens in this package."},
				}},
			},
		},
	}
}

func (d *tokenPackagesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *tokenPackagesDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	var packages []gen.TokenPackageFields
	err := d.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.ListTokenPackages(ctx, gql)
		if err == nil {
			packages = make([]gen.TokenPackageFields, 0, len(out.TokenPackages))
			for _, p := range out.TokenPackages {
				packages = append(packages, p.TokenPackageFields)
			}
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_token_packages", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, tokenPackagesFromAPI(packages))...)
}

// tokenPackagesFromAPI maps the API's packages to the model, in the API's order.
func tokenPackagesFromAPI(packages []gen.TokenPackageFields) tokenPackagesModel {
	m := tokenPackagesModel{Packages: make([]tokenPackageModel, 0, len(packages))}
	for _, p := range packages {
		m.Packages = append(m.Packages, tokenPackageModel{
			ID:              types.StringValue(p.Id),
			Name:            types.StringValue(p.Name),
			Tokens:          types.Int64Value(int64(p.Tokens)),
			Price:           types.Float64Value(p.Price),
			Currency:        types.StringValue(p.Currency),
			PricePerMillion: types.Float64Value(p.PricePerMillion),
		})
	}
	return m
}
