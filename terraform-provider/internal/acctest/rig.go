package acctest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	"github.com/ic-gpu/terraform-provider-icgpu/internal/provider"
)

// Shared is the server of the running test binary, started by Main.
var Shared *Server

// Main is TestMain for an acceptance package: it refuses to run without the CLI the tests drive
// (no silent skip), starts the shared server, runs the tests and stops the server.
func Main(m *testing.M) {
	for _, env := range []string{"TF_ACC", "TF_ACC_TERRAFORM_PATH", "TF_ACC_PROVIDER_NAMESPACE"} {
		if os.Getenv(env) == "" {
			fmt.Fprintf(os.Stderr, "acceptance tests need %s (scripts/test-provider.sh sets TF_ACC, the built OpenTofu and the provider address)\n", env)
			os.Exit(2)
		}
	}
	s, err := StartServer(nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	Shared = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// ProviderFactories serves the provider in-process under the name "icgpu".
var ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"icgpu": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// Tenant is a fresh tenant on the shared server: its owner's API key, a provider block for it and
// a client for changes made outside Terraform.
type Tenant struct {
	APIKey string
	URL    string
	Client *client.Client
}

// NewTenant bootstraps a tenant with a random name on the shared server, so every test starts
// from empty lists.
func NewTenant(t *testing.T) *Tenant {
	t.Helper()
	return NewTenantOn(t, Shared)
}

// NewTenantOn bootstraps a tenant on s (a server started with other settings).
func NewTenantOn(t *testing.T, s *Server) *Tenant {
	t.Helper()
	name := "tf-" + randomHex(4)
	key, err := s.Bootstrap(name, name+"@example.com")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{BaseURL: s.URL, APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return &Tenant{APIKey: key, URL: s.URL, Client: c}
}

// ProviderBlock is the provider configuration for this tenant, to prepend to a test's HCL.
func (tn *Tenant) ProviderBlock() string {
	return fmt.Sprintf("provider \"icgpu\" {\n  base_url = %q\n  api_key  = %q\n}\n", tn.URL, tn.APIKey)
}

// Name is a random lower-case name with a prefix, valid for every resource.
func Name(prefix string) string { return prefix + "-" + randomHex(4) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
