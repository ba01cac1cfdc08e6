package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var (
	_ resource.ResourceWithConfigure   = (*apiKeyResource)(nil)
	_ resource.ResourceWithImportState = (*apiKeyResource)(nil)
)

// apiKeyScopes are the scopes a key can grant (server/icgpu/auth/principal.py ALL_SCOPES), and
// apiKeyPermissions its permissions (PERMISSIONS).
var (
	apiKeyScopes      = []string{"instances", "vms", "clusters", "models", "functions", "fine_tuning", "files", "batch", "webhooks", "keys", "teams", "tokens"}
	apiKeyPermissions = []string{"read", "write"}
)

// API limits (services/api_keys.py ApiKeyCreate).
const (
	apiKeyNameMax     = 100
	apiKeyScopesMax   = 50
	apiKeyMaxDays     = 3650
	apiKeyCreateTries = 3 // a create whose secret was lost is revoked and tried again, this many times in all
)

// NewAPIKeyResource is icgpu_api_key: an API key of the calling account. Keys cannot be changed,
// so every argument forces replacement; the secret is known only to the create that made it.
func NewAPIKeyResource() resource.Resource { return &apiKeyResource{} }

type apiKeyResource struct {
	client *client.Client
}

type apiKeyModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Scopes        types.Set    `tfsdk:"scopes"`
	Permissions   types.Set    `tfsdk:"permissions"`
	ExpiresInDays types.Int64  `tfsdk:"expires_in_days"`
	Prefix        types.String `tfsdk:"prefix"`
	Key           types.String `tfsdk:"key"`
	ExpiresAt     types.String `tfsdk:"expires_at"`
	CreatedAt     types.String `tfsdk:"created_at"`
}

func (r *apiKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_key"
}

func (r *apiKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "An API key of the calling account, with scopes, permissions and an optional expiry. " +
			"The secret (`key`) is known only when the key is created; a revoked key reads as gone.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The key's id (ak-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required:      true,
				Description:   "A name for the key (1-100 characters). Changing it replaces the key.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, apiKeyNameMax)},
			},
			"scopes": schema.SetAttribute{
				Required:    true,
				ElementType: types.StringType,
				Description: "What the key may reach: a set of " + quotedList(apiKeyScopes) + " (at least one). " +
					"A set, because the API ignores order and repeats. No scope beyond the creating credential's. Changing it replaces the key.",
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, apiKeyScopesMax),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(apiKeyScopes...)),
				},
			},
			"permissions": schema.SetAttribute{
				Optional:      true,
				Computed:      true,
				ElementType:   types.StringType,
				Description:   "What the key may do in its scopes: a set of \"read\" and \"write\" (default [\"read\"]). Changing it replaces the key.",
				Default:       setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{types.StringValue("read")})),
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplace()},
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(apiKeyPermissions...)),
				},
			},
			"expires_in_days": schema.Int64Attribute{
				Optional: true,
				Description: "Days until the key expires (1-3650); unset, it never expires (a key created with a key " +
					"never outlives it). Known only to the create: import leaves it null. Changing it replaces the key.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.Between(1, apiKeyMaxDays)},
			},
			"prefix": schema.StringAttribute{Computed: true, Description: "The secret's first characters, as key lists show them.", PlanModifiers: keep},
			"key": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				Description: "The secret (sk-ic-...), returned only by the create and kept in state; null after an import. " +
					"Treat the state as a secret.",
				PlanModifiers: keep,
			},
			"expires_at": schema.StringAttribute{Computed: true, Description: "When the key expires (RFC 3339), or null.", PlanModifiers: keep},
			"created_at": schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
		},
	}
}

func (r *apiKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *apiKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	input, diags := apiKeyInput(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var lost []string // keys created whose secret never reached us, revoked
	for try := 1; ; try++ {
		created, err := r.create(ctx, input)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Could not create icgpu_api_key", err)
			return
		}
		if created.Key != nil {
			if len(lost) > 0 {
				resp.Diagnostics.AddWarning("icgpu_api_key: a lost secret was replaced",
					fmt.Sprintf("The create's answer was lost and the retry got the server's replay, which never holds the secret "+
						"(secret unavailable). The key(s) created then (%v) were revoked and %s was created in their place.",
						lost, created.ApiKey.Id))
			}
			plan.Key = types.StringValue(*created.Key)
			resp.Diagnostics.Append(resp.State.Set(ctx, apiKeyFromAPI(created.ApiKey.ApiKeyFields, plan))...)
			return
		}
		// Secret unavailable: the key exists but nobody can use it. Revoke it and make another (a
		// new call, hence a new Idempotency-Key and a fresh secret).
		id := created.ApiKey.Id
		if err := r.revoke(ctx, id); err != nil && !client.IsNotFound(err) {
			addAPIError(&resp.Diagnostics, "Could not revoke icgpu_api_key "+id+", created without its secret (secret unavailable)", err)
			return
		}
		lost = append(lost, id)
		if try >= apiKeyCreateTries {
			resp.Diagnostics.AddError("Could not create icgpu_api_key: secret unavailable",
				fmt.Sprintf("%d creates in a row lost their answer and were replayed without the secret; the keys made (%v) were revoked. "+
					"Check the network between Terraform and the API, then apply again.", try, lost))
			return
		}
	}
}

// create runs one CreateApiKey, in its own Do: each call gets a new Idempotency-Key.
func (r *apiKeyResource) create(ctx context.Context, input gen.CreateApiKeyInput) (gen.CreateApiKeyCreateApiKeyCreatedApiKey, error) {
	var created gen.CreateApiKeyCreateApiKeyCreatedApiKey
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateApiKey(ctx, gql, input, applyForReal())
		if err == nil {
			created = out.CreateApiKey
			if created.DryRun {
				err = errors.New("the API answered a dry run to a real create; this is a bug")
			}
		}
		return err
	})
	return created, err
}

func (r *apiKeyResource) revoke(ctx context.Context, id string) error {
	return r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.RevokeApiKey(ctx, gql, id, applyForReal())
		return err
	})
}

func (r *apiKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state apiKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var key gen.ApiKeyFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetApiKey(ctx, gql, state.ID.ValueString())
		if err == nil {
			key = out.ApiKey.ApiKeyFields
		}
		return err
	})
	if client.IsNotFound(err) || (err == nil && key.RevokedAt != nil) {
		resp.State.RemoveResource(ctx) // revoked or deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_api_key "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, apiKeyFromAPI(key, state))...)
}

// Update is never called with a change: every argument forces replacement.
func (r *apiKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan apiKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Delete revokes the key; one already revoked or gone is fine.
func (r *apiKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state apiKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.revoke(ctx, state.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "Could not revoke icgpu_api_key "+state.ID.ValueString(), err)
	}
}

// ImportState takes the key's id; Read fills the rest but the secret and expires_in_days, which
// the API never returns.
func (r *apiKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// apiKeyInput is the CreateApiKey input for a plan.
func apiKeyInput(ctx context.Context, plan apiKeyModel) (gen.CreateApiKeyInput, diag.Diagnostics) {
	var diags diag.Diagnostics
	in := gen.CreateApiKeyInput{Name: plan.Name.ValueString()}
	diags.Append(plan.Scopes.ElementsAs(ctx, &in.Scopes, false)...)
	if plan.Permissions.IsNull() || plan.Permissions.IsUnknown() {
		in.Permissions = []string{"read"}
	} else {
		diags.Append(plan.Permissions.ElementsAs(ctx, &in.Permissions, false)...)
	}
	if !plan.ExpiresInDays.IsNull() && !plan.ExpiresInDays.IsUnknown() {
		days := int(plan.ExpiresInDays.ValueInt64())
		in.ExpiresInDays = &days
	}
	return in, diags
}

// apiKeyFromAPI maps the API's key to the model. The API never returns the secret nor the
// expires_in_days it was created with: both are kept from prior (the plan at create, the state on
// refresh; null after an import).
func apiKeyFromAPI(k gen.ApiKeyFields, prior apiKeyModel) apiKeyModel {
	key := prior.Key
	if key.IsUnknown() {
		key = types.StringNull()
	}
	days := prior.ExpiresInDays
	if days.IsUnknown() {
		days = types.Int64Null()
	}
	return apiKeyModel{
		ID:            types.StringValue(k.Id),
		Name:          types.StringValue(k.Name),
		Scopes:        stringSet(k.Scopes),
		Permissions:   stringSet(k.Permissions),
		ExpiresInDays: days,
		Prefix:        types.StringValue(k.Prefix),
		Key:           key,
		ExpiresAt:     timeOrNull(k.ExpiresAt),
		CreatedAt:     timeValue(k.CreatedAt),
	}
}

// stringSet is a Terraform set of strings (repeats collapse).
func stringSet(values []string) types.Set {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.SetValueMust(types.StringType, elems)
}

// quotedList is `"a", "b", "c"`, for descriptions.
func quotedList(values []string) string {
	s := ""
	for i, v := range values {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", v)
	}
	return s
}
