package provider

import (
	"context"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
)

// catalogue is what one read-only catalogue data source owns: a list of API items (A) read by one
// GraphQL query and shown, in the API's order, as one computed list attribute of item models (M).
// catalogueDataSource serves it; everything else about such a data source is the same.
type catalogue[A, M any] struct {
	name            string                      // the type name after the provider's, e.g. "gpu_tiers"
	description     string                      // the data source's description
	list            string                      // the list attribute, e.g. "tiers"
	listDescription string                      // the list attribute's description
	item            map[string]schema.Attribute // the attributes of one item; M's tfsdk tags name them
	fetch           func(context.Context, graphql.Client) ([]A, error)
	fromAPI         func(A) M // a pure mapping of one API item to its model
}

// read is the API's list, through the client's retries.
func (c catalogue[A, M]) read(ctx context.Context, cl *client.Client) ([]A, error) {
	var items []A
	err := cl.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		var err error
		items, err = c.fetch(ctx, gql)
		return err
	})
	return items, err
}

// models maps the API's items to the list attribute's value, in the API's order: never nil, so no
// items is an empty list rather than null.
func (c catalogue[A, M]) models(items []A) []M {
	return mapSlice(items, c.fromAPI)
}

// dataSource is the catalogue as a Terraform data source.
func (c catalogue[A, M]) dataSource() datasource.DataSource {
	return &catalogueDataSource[A, M]{catalogue: c}
}

type catalogueDataSource[A, M any] struct {
	catalogue[A, M]
	client *client.Client
}

var _ datasource.DataSourceWithConfigure = (*catalogueDataSource[struct{}, struct{}])(nil)

func (d *catalogueDataSource[A, M]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.name
}

func (d *catalogueDataSource[A, M]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: d.description,
		Attributes: map[string]schema.Attribute{
			d.list: schema.ListNestedAttribute{
				Computed:     true,
				Description:  d.listDescription,
				NestedObject: schema.NestedAttributeObject{Attributes: d.item},
			},
		},
	}
}

func (d *catalogueDataSource[A, M]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (d *catalogueDataSource[A, M]) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	items, err := d.read(ctx, d.client)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_"+d.name, err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.list), d.models(items))...)
}

// mapSlice is f applied to every element of in, in order; never nil.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}
