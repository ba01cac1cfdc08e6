package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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
	_ resource.ResourceWithConfigure   = (*clusterResource)(nil)
	_ resource.ResourceWithImportState = (*clusterResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*clusterResource)(nil)
)

// Default waits of the timeouts block.
const (
	clusterCreateTimeout = 20 * time.Minute
	clusterDeleteTimeout = 10 * time.Minute
)

// NewClusterResource is icgpu_cluster: a virtual Kubernetes cluster. The API changes nothing of a
// cluster in place, so every argument forces a new one.
func NewClusterResource() resource.Resource { return &clusterResource{backoff: defaultBackoff} }

type clusterResource struct {
	client  *client.Client
	backoff backoff
}

// clusterVersionShape is the shape of a Kubernetes minor version; the supported list is the API's
// (clusterVersions), checked when planning.
var clusterVersionShape = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

func (r *clusterResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

func (r *clusterResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A virtual Kubernetes cluster. Create waits until its control plane is running; " +
			"the kubeconfig is read from the API.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, Description: "The cluster's id (cls-...).", PlanModifiers: keep},
			"name": schema.StringAttribute{
				Required: true,
				Description: "Name, unique among your live clusters: 1-63 lower-case letters, digits or '-', " +
					"starting and ending with a letter or digit. Changing it replaces the cluster.",
				PlanModifiers: replace,
				Validators:    []validator.String{resourceName()},
			},
			"version": schema.StringAttribute{
				Optional: true, Computed: true,
				Description: "Kubernetes minor version, one of the API's supported versions (clusterVersions, checked at " +
					"plan time); omitted, the API's default (the newest) at creation. Changing it replaces the cluster.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{stringvalidator.RegexMatches(clusterVersionShape,
					`must be a Kubernetes minor version such as "1.31"`)},
			},
			"team_id": schema.StringAttribute{
				Optional:      true,
				Description:   "Id of a team (team-...) to share the cluster with; needs the member role in it. Changing it replaces the cluster.",
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 40)},
			},
			"status":        schema.StringAttribute{Computed: true, Description: "The API's status: pending, provisioning, running or error."},
			"status_reason": schema.StringAttribute{Computed: true, Description: "Why the cluster has its status; null when there is nothing to say."},
			"server_url":    schema.StringAttribute{Computed: true, Description: "The Kubernetes API server's URL, once the control plane has one."},
			"created_at":    schema.StringAttribute{Computed: true, Description: "Creation time (RFC 3339).", PlanModifiers: keep},
			"kubeconfig": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "The cluster's kubeconfig (YAML: current context, server URL, CA data and a credential, a bearer " +
					"token or a client certificate and its key, that is revoked when the cluster is deleted), read from the API " +
					"on create and on every refresh.",
			},
			"token": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "The kubeconfig's bearer credential alone (for a kubernetes provider block); null when its user " +
					"authenticates with a client certificate.",
			},
			"client_certificate_data": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "The kubeconfig user's PEM client certificate, base64 (base64decode() it for a kubernetes " +
					"provider's client_certificate); null when the user authenticates with a token.",
			},
			"client_key_data": schema.StringAttribute{
				Computed: true, Sensitive: true, PlanModifiers: keep,
				Description: "The client certificate's PEM private key, base64 (base64decode() it for a kubernetes " +
					"provider's client_key); null when the user authenticates with a token.",
			},
			"certificate_authority_data": schema.StringAttribute{
				Computed: true, PlanModifiers: keep,
				Description: "The cluster CA's PEM certificate, base64 (base64decode() it for a kubernetes provider's cluster_ca_certificate).",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Delete: true}),
		},
	}
}

func (r *clusterResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientOf(req.ProviderData, &resp.Diagnostics)
}

// versions is the API's list of supported Kubernetes versions, oldest first (the last is the default).
func (r *clusterResource) versions(ctx context.Context) ([]string, error) {
	var versions []string
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.ListClusterVersions(ctx, gql)
		if err == nil {
			versions = out.ClusterVersions
		}
		return err
	})
	return versions, err
}

// ModifyPlan checks a new or changed version against the API's supported list, and plans the
// API's default version for a new cluster that names none.
func (r *clusterResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var planned, prior types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("version"), &planned)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("version"), &prior)...)
	}
	if resp.Diagnostics.HasError() || (planned.IsUnknown() && !prior.IsNull()) || (!planned.IsUnknown() && planned.Equal(prior)) {
		return
	}
	var config types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("version"), &config)...)
	if resp.Diagnostics.HasError() || config.IsUnknown() {
		return // known at apply only: the API checks it then
	}
	versions, err := r.versions(ctx)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read the supported Kubernetes versions", err)
		return
	}
	if planned.IsUnknown() {
		if len(versions) > 0 {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("version"), versions[len(versions)-1])...)
		}
		return
	}
	if !slices.Contains(versions, planned.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("version"), "Unsupported Kubernetes version",
			fmt.Sprintf("The API does not offer version %q; choose one of: %s.", planned.ValueString(), strings.Join(versions, ", ")))
	}
}

func (r *clusterResource) get(ctx context.Context, id string) (gen.ClusterFields, error) {
	var c gen.ClusterFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetCluster(ctx, gql, id)
		if err == nil {
			c = out.Cluster.ClusterFields
		}
		return err
	})
	return c, err
}

// kubeconfig reads the cluster's kubeconfig; nil (and no error) while its control plane has no
// address (409 ClusterNotReady) or when the credential is gone (404).
func (r *clusterResource) kubeconfig(ctx context.Context, c gen.ClusterFields) (*gen.KubeconfigFields, error) {
	if c.ServerUrl == nil || clusterGone(c.Status) {
		return nil, nil
	}
	var k *gen.KubeconfigFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetClusterKubeconfig(ctx, gql, c.Id)
		if err == nil {
			k = &out.ClusterKubeconfig.KubeconfigFields
		}
		return err
	})
	if client.IsNotFound(err) || client.IsConflict(err) {
		return nil, nil
	}
	return k, err
}

func (r *clusterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, clusterCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	version := plan.Version.ValueString()
	if plan.Version.IsUnknown() || plan.Version.IsNull() {
		versions, err := r.versions(ctx)
		if err != nil || len(versions) == 0 {
			addAPIError(&resp.Diagnostics, "Could not read the supported Kubernetes versions", err)
			return
		}
		version = versions[len(versions)-1]
	}
	var c gen.ClusterFields
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateCluster(ctx, gql, gen.CreateClusterInput{Name: plan.Name.ValueString(), Version: version,
			TeamId: optionalString(plan.TeamID)}, applyForReal())
		if err == nil {
			c = out.CreateCluster.Cluster.ClusterFields
		}
		return err
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not create icgpu_cluster", err)
		return
	}
	// In the state from here on: if waiting fails, Terraform keeps it as tainted and replaces it next time.
	resp.Diagnostics.Append(resp.State.Set(ctx, clusterFromAPI(c, nil, plan))...)

	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	last := c
	err = pollUntil(waitCtx, r.backoff, "cluster", c.Id, "running", func(ctx context.Context) (pollResult, error) {
		got, err := r.get(ctx, c.Id)
		if err != nil {
			return pollResult{}, err
		}
		last = got
		status, reason := clusterStatusText(got.Status), ""
		if got.StatusReason != nil {
			reason = *got.StatusReason
		}
		switch got.Status {
		case gen.ClusterStatusRunning:
			return pollResult{Done: true, Status: status}, nil
		case gen.ClusterStatusError, gen.ClusterStatusDeleting, gen.ClusterStatusTerminated:
			return pollResult{}, &statusFailedError{What: "cluster", ID: c.Id, Want: "running", Status: status, Reason: reason}
		}
		return pollResult{Status: status, Reason: reason}, nil
	})
	var k *gen.KubeconfigFields
	if err == nil {
		k, err = r.kubeconfig(ctx, last)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, clusterFromAPI(last, k, plan))...)
	if err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_cluster "+c.Id+" did not become running", err,
			"The cluster stays in the state as tainted: the next apply replaces it.")
	}
}

func (r *clusterResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.get(ctx, state.ID.ValueString())
	if client.IsNotFound(err) || (err == nil && clusterGone(c.Status)) {
		resp.State.RemoveResource(ctx) // deleted outside Terraform: plan a new one
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read icgpu_cluster "+state.ID.ValueString(), err)
		return
	}
	k, err := r.kubeconfig(ctx, c)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Could not read the kubeconfig of icgpu_cluster "+c.Id, err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, clusterFromAPI(c, k, state))...)
}

// Update only records a changed timeouts block: every argument forces replacement.
func (r *clusterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	prior.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, prior)...)
}

// Delete deletes the cluster (its credential is revoked at once) and waits until it is terminated.
func (r *clusterResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, clusterDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	err := r.client.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.DeleteCluster(ctx, gql, id, applyForReal())
		return err
	})
	// A conflict means it is already being deleted; the wait confirms it.
	if err != nil && !client.IsNotFound(err) && !client.IsConflict(err) {
		addAPIError(&resp.Diagnostics, "Could not delete icgpu_cluster "+id, err)
		return
	}
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err = pollUntil(waitCtx, r.backoff, "cluster", id, "terminated", func(ctx context.Context) (pollResult, error) {
		c, err := r.get(ctx, id)
		if client.IsNotFound(err) {
			return pollResult{Done: true}, nil
		}
		if err != nil {
			return pollResult{}, err
		}
		return pollResult{Done: c.Status == gen.ClusterStatusTerminated, Status: clusterStatusText(c.Status)}, nil
	})
	if err != nil {
		addStatusWaitError(&resp.Diagnostics, "icgpu_cluster "+id+" was not deleted", err, "")
	}
}

func (r *clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}
