package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// clusterModel is icgpu_cluster as Terraform sees it.
type clusterModel struct {
	ID                       types.String   `tfsdk:"id"`
	Name                     types.String   `tfsdk:"name"`
	Version                  types.String   `tfsdk:"version"`
	TeamID                   types.String   `tfsdk:"team_id"`
	Status                   types.String   `tfsdk:"status"`
	StatusReason             types.String   `tfsdk:"status_reason"`
	ServerURL                types.String   `tfsdk:"server_url"`
	CreatedAt                types.String   `tfsdk:"created_at"`
	Kubeconfig               types.String   `tfsdk:"kubeconfig"`
	Token                    types.String   `tfsdk:"token"`
	ClientCertificateData    types.String   `tfsdk:"client_certificate_data"`
	ClientKeyData            types.String   `tfsdk:"client_key_data"`
	CertificateAuthorityData types.String   `tfsdk:"certificate_authority_data"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

// clusterStatusText is the API status in lower case, as the REST API and the docs spell it.
func clusterStatusText(s gen.ClusterStatus) string { return strings.ToLower(string(s)) }

// clusterGone: a cluster being deleted or deleted is gone for Terraform (its credential is revoked).
func clusterGone(s gen.ClusterStatus) bool {
	return s == gen.ClusterStatusDeleting || s == gen.ClusterStatusTerminated
}

// clusterFromAPI maps the API's cluster (and its kubeconfig, when the API served one) to the
// model. The kubeconfig's user has a token or a client certificate and its key: the other kind is
// null. Without a kubeconfig (the control plane has no address at the moment) the prior
// kubeconfig, credential and CA are kept, or null when there were none; the timeouts block, which
// only Terraform knows, is carried over.
func clusterFromAPI(c gen.ClusterFields, k *gen.KubeconfigFields, prior clusterModel) clusterModel {
	known := func(v types.String) types.String {
		if v.IsUnknown() {
			return types.StringNull()
		}
		return v
	}
	m := clusterModel{
		ID:                       types.StringValue(c.Id),
		Name:                     types.StringValue(c.Name),
		Version:                  types.StringValue(c.Version),
		TeamID:                   stringOrNull(c.TeamId),
		Status:                   types.StringValue(clusterStatusText(c.Status)),
		StatusReason:             stringOrNull(c.StatusReason),
		ServerURL:                stringOrNull(c.ServerUrl),
		CreatedAt:                timeValue(c.CreatedAt),
		Kubeconfig:               known(prior.Kubeconfig),
		Token:                    known(prior.Token),
		ClientCertificateData:    known(prior.ClientCertificateData),
		ClientKeyData:            known(prior.ClientKeyData),
		CertificateAuthorityData: known(prior.CertificateAuthorityData),
		Timeouts:                 prior.Timeouts,
	}
	if k != nil {
		m.Kubeconfig = types.StringValue(k.Kubeconfig)
		m.Token = stringOrNull(k.Token)
		m.ClientCertificateData = stringOrNull(k.ClientCertificateData)
		m.ClientKeyData = stringOrNull(k.ClientKeyData)
		m.CertificateAuthorityData = types.StringValue(k.CertificateAuthorityData)
	}
	return m
}
