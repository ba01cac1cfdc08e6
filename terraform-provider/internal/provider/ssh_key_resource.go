package provider

import (
	"context"
	"strings"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

var (
	_ resource.ResourceWithConfigure   = (*sshKeyResource)(nil)
	_ resource.ResourceWithImportState = (*sshKeyResource)(nil)
)

// NewSSHKeyResource is icgpu_ssh_key: an uploaded OpenSSH public key. Keys cannot be changed in
// place, so both arguments force replacement.
func NewSSHKeyResource() resource.Resource { return &sshKeyResource{} }

type sshKeyResource struct {
	client *client.Client
}

type sshKeyModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	PublicKey   types.String `tfsdk:"public_key"`
	Fingerprint types.String `tfsdk:"fingerprint"`
	KeyType     types.String `tfsdk:"key_type"`
	Bits        types.Int64  `tfsdk:"bits"`
	CreatedAt   types.String `tfsdk:"created_at"`
}

func (r *sshKeyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ssh_key"
}

func (r *sshKeyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "An SSH public key of the tenant, for instances to authorize.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The key's id (key-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required: true, Description: "A name for the key (1-100 characters). A tenant holds each key (fingerprint) once. Changing it replaces the key.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 100)},
			},
			"public_key": schema.StringAttribute{
				Required: true,
				Description: "One OpenSSH public key line ('ssh-ed25519 AAAA... comment'), e.g. file(\"~/.ssh/id_ed25519.pub\"). " +
					"Surrounding whitespace is ignored. Changing it replaces the key.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 16384), publicKeyShape()},
			},
			"fingerprint": schema.StringAttribute{Computed: true, Description: "SHA256 fingerprint, as ssh-keygen -l prints it.", PlanModifiers: keep},
			"key_type":    schema.StringAttribute{Computed: true, Description: "Key algorithm, e.g. ssh-ed25519.", PlanModifiers: keep},
			"bits":        schema.Int64Attribute{Computed: true, Description: "Key size in bits."},
			"created_at":  schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
		},
	}
}

func (r *sshKeyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

func (r *sshKeyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan sshKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var key gen.SshKeyFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.UploadSshKey(ctx, gql, gen.UploadSshKeyInput{Name: plan.Name.ValueString(), PublicKey: plan.PublicKey.ValueString()}, applyForReal())
		if err == nil {
			key = out.UploadSshKey.SshKey.SshKeyFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not create icgpu_ssh_key", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, sshKeyFromAPI(key, plan.PublicKey))...)
}

func (r *sshKeyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state sshKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var key gen.SshKeyFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetSshKey(ctx, gql, state.ID.ValueString())
		if err == nil {
			key = out.SshKey.SshKeyFields
		}
		return err
	})
	if client.IsNotFound(err) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_ssh_key "+state.ID.ValueString(), err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, sshKeyFromAPI(key, state.PublicKey))...)
}

// Update is never called with a change: every argument forces replacement.
func (r *sshKeyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan sshKeyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *sshKeyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state sshKeyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.DeleteSshKey(ctx, gql, state.ID.ValueString(), applyForReal())
		return err
	})
	if err != nil && !client.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "Could not delete icgpu_ssh_key "+state.ID.ValueString(), err)
	}
}

func (r *sshKeyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// sshKeyFromAPI maps the API's key to the model. The API stores the key line trimmed; when the
// configured value is that line with surrounding whitespace (a file() with its newline), the
// configured value is kept so the plan shows no change.
func sshKeyFromAPI(k gen.SshKeyFields, configured types.String) sshKeyModel {
	pub := types.StringValue(k.PublicKey)
	if !configured.IsNull() && !configured.IsUnknown() && strings.TrimSpace(configured.ValueString()) == k.PublicKey {
		pub = configured
	}
	return sshKeyModel{
		ID:          types.StringValue(k.Id),
		Name:        types.StringValue(k.Name),
		PublicKey:   pub,
		Fingerprint: types.StringValue(k.Fingerprint),
		KeyType:     types.StringValue(k.KeyType),
		Bits:        types.Int64Value(int64(k.Bits)),
		CreatedAt:   timeValue(k.CreatedAt),
	}
}
