package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// NewTokenPackagesDataSource is data.icgpu_token_packages: the token packages on offer, with
// their prices (read with the tokens scope).
func NewTokenPackagesDataSource() datasource.DataSource { return tokenPackagesCatalogue().dataSource() }

type tokenPackageModel struct {
	ID              types.String  `tfsdk:"id"`
	Name            types.String  `tfsdk:"name"`
	Tokens          types.Int64   `tfsdk:"tokens"`
	Price           types.Float64 `tfsdk:"price"`
	Currency        types.String  `tfsdk:"currency"`
	PricePerMillion types.Float64 `tfsdk:"price_per_million"`
}

func tokenPackagesCatalogue() catalogue[gen.TokenPackageFields, tokenPackageModel] {
	return catalogue[gen.TokenPackageFields, tokenPackageModel]{
		name:            "token_packages",
		description:     "Every token package on offer, smallest first, with its price (needs the tokens scope with read).",
		list:            "packages",
		listDescription: "The packages, in the API's order (smallest first).",
		item: map[string]schema.Attribute{
			"id":                schema.StringAttribute{Computed: true, Description: "The package's id, as a purchase's packageId takes it (pkg-...)."},
			"name":              schema.StringAttribute{Computed: true, Description: "Display name."},
			"tokens":            schema.Int64Attribute{Computed: true, Description: "Tokens the package adds to the balance."},
			"price":             schema.Float64Attribute{Computed: true, Description: "The package's price, in currency."},
			"currency":          schema.StringAttribute{Computed: true, Description: "The price's currency (ISO 4217, e.g. USD)."},
			"price_per_million": schema.Float64Attribute{Computed: true, Description: "The price of a million tokens in this package."},
		},
		fetch: func(ctx context.Context, gql graphql.Client) ([]gen.TokenPackageFields, error) {
			out, err := gen.ListTokenPackages(ctx, gql)
			if err != nil {
				return nil, err
			}
			return mapSlice(out.TokenPackages, func(p gen.ListTokenPackagesTokenPackagesTokenPackage) gen.TokenPackageFields {
				return p.TokenPackageFields
			}), nil
		},
		fromAPI: tokenPackageFromAPI,
	}
}

// tokenPackageFromAPI maps one of the API's packages to its model.
func tokenPackageFromAPI(p gen.TokenPackageFields) tokenPackageModel {
	return tokenPackageModel{
		ID:              types.StringValue(p.Id),
		Name:            types.StringValue(p.Name),
		Tokens:          types.Int64Value(int64(p.Tokens)),
		Price:           types.Float64Value(p.Price),
		Currency:        types.StringValue(p.Currency),
		PricePerMillion: types.Float64Value(p.PricePerMillion),
	}
}
