package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestClusterFromAPI(t *testing.T) {
	url, team := "https://cls-1.clusters.example:6443", "team-1"
	c := gen.ClusterFields{Id: "cls-1", Name: "k", Version: "1.31", Status: gen.ClusterStatusRunning, TeamId: &team,
		ServerUrl: &url, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	tok := "tok"
	k := &gen.KubeconfigFields{Kubeconfig: "apiVersion: v1\n", Token: &tok, CertificateAuthorityData: "Q0E="}
	m := clusterFromAPI(c, k, clusterModel{Kubeconfig: types.StringUnknown()})
	if m.ID.ValueString() != "cls-1" || m.Name.ValueString() != "k" || m.Version.ValueString() != "1.31" ||
		m.Status.ValueString() != "running" || m.TeamID.ValueString() != "team-1" || m.ServerURL.ValueString() != url ||
		m.CreatedAt.ValueString() != "2026-01-02T03:04:05Z" || !m.StatusReason.IsNull() ||
		m.Kubeconfig.ValueString() != "apiVersion: v1\n" || m.Token.ValueString() != "tok" || m.CertificateAuthorityData.ValueString() != "Q0E=" ||
		!m.ClientCertificateData.IsNull() || !m.ClientKeyData.IsNull() {
		t.Errorf("clusterFromAPI = %+v", m)
	}

	// A client certificate's kubeconfig (vCluster's): the pair, and a null token, even where a token was before.
	certData, keyData := "Q0VSVA==", "S0VZ"
	cert := &gen.KubeconfigFields{Kubeconfig: "apiVersion: v1\n", ClientCertificateData: &certData,
		ClientKeyData: &keyData, CertificateAuthorityData: "Q0E="}
	mc := clusterFromAPI(c, cert, clusterModel{Token: types.StringValue("old")})
	if !mc.Token.IsNull() || mc.ClientCertificateData.ValueString() != certData || mc.ClientKeyData.ValueString() != keyData {
		t.Errorf("clusterFromAPI with a client certificate = %+v", mc)
	}

	// Without a kubeconfig (no address at the moment): the prior values, and null for unknown ones.
	c.Status, c.ServerUrl = gen.ClusterStatusProvisioning, nil
	kept := clusterFromAPI(c, nil, clusterModel{Kubeconfig: types.StringValue("old"), Token: types.StringValue("t"),
		CertificateAuthorityData: types.StringUnknown(), ClientCertificateData: types.StringValue("c"),
		ClientKeyData: types.StringUnknown()})
	if kept.Kubeconfig.ValueString() != "old" || kept.Token.ValueString() != "t" || !kept.CertificateAuthorityData.IsNull() ||
		kept.ClientCertificateData.ValueString() != "c" || !kept.ClientKeyData.IsNull() ||
		!kept.ServerURL.IsNull() || kept.Status.ValueString() != "provisioning" {
		t.Errorf("without a kubeconfig = %+v", kept)
	}
	for s, gone := range map[gen.ClusterStatus]bool{gen.ClusterStatusRunning: false, gen.ClusterStatusError: false,
		gen.ClusterStatusDeleting: true, gen.ClusterStatusTerminated: true} {
		if clusterGone(s) != gone {
			t.Errorf("clusterGone(%s) = %v", s, !gone)
		}
	}
}
