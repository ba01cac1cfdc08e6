// Package clitest drives the built provider the way a user does: installed into a filesystem
// mirror by install.sh, `tofu init` offline, apply, a second plan with no changes, `tofu import` of
// an instance created through the API, destroy. The CLI is TF_ACC_TERRAFORM_PATH (the OpenTofu that
// scripts/build-tofu.sh builds); the server is the one acctest.Main starts.
package clitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// version is the provider's release (the VERSION file), installed into the mirror. A pre-release
// suffix would hide it from configurations without a version constraint.
var version = func() string {
	b, err := os.ReadFile(filepath.Join("..", "..", "VERSION"))
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}()

// cli runs tofu in one working directory with a CLI config that installs the provider from the
// mirror only.
type cli struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

func newCLI(t *testing.T, tn *acctest.Tenant) *cli {
	t.Helper()
	root := t.TempDir()
	mirror := filepath.Join(root, "mirror")
	install := exec.Command("./install.sh", mirror, version)
	install.Dir = moduleRoot(t)
	var stdout, stderr bytes.Buffer
	install.Stdout, install.Stderr = &stdout, &stderr
	if err := install.Run(); err != nil {
		t.Fatalf("install.sh: %v\n%s", err, stderr.String())
	}
	rc := filepath.Join(root, "tofurc")
	if err := os.WriteFile(rc, stdout.Bytes(), 0o600); err != nil { // install.sh prints the CLI config block
		t.Fatal(err)
	}
	work := filepath.Join(root, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "ICGPU_") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		// The provider block is empty: credentials come from the environment, as in CI pipelines.
		"ICGPU_API_KEY="+tn.APIKey, "ICGPU_BASE_URL="+tn.URL,
		// Offline: any attempt to reach a registry fails instead of hanging.
		"HTTPS_PROXY=http://127.0.0.1:9", "HTTP_PROXY=http://127.0.0.1:9")
	return &cli{t: t, bin: os.Getenv("TF_ACC_TERRAFORM_PATH"), dir: work, env: env}
}

// run executes tofu with args and returns its exit code and combined output.
func (c *cli) run(env []string, args ...string) (int, string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Dir = c.dir
	cmd.Env = append(append([]string{}, c.env...), env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	default:
		c.t.Fatalf("tofu %s: %v", strings.Join(args, " "), err)
		return -1, ""
	}
}

// ok runs tofu and fails the test unless it exits 0.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out := c.run(nil, args...)
	if code != 0 {
		c.t.Fatalf("tofu %s exited %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

func (c *cli) write(config string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(config), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

var header = `terraform {
  required_providers {
    icgpu = {
      source  = "registry.terraform.io/ic-gpu/icgpu"
      version = "` + version + `"
    }
  }
}

provider "icgpu" {}
`

func TestCLIWorkflow(t *testing.T) {
	tn := acctest.NewTenant(t)
	c := newCLI(t, tn)
	pub := acctest.PublicKey(t)
	managed := fmt.Sprintf(`
data "icgpu_gpu_tiers" "all" {}

resource "icgpu_ssh_key" "laptop" {
  name       = "laptop"
  public_key = %q
}

resource "icgpu_instance" "web" {
  name    = "web"
  tier    = "timesliced"
  ssh_key = icgpu_ssh_key.laptop.public_key
}

resource "icgpu_api_key" "ci" {
  name   = "ci"
  scopes = ["instances"]
}

output "tiers" { value = [for t in data.icgpu_gpu_tiers.all.tiers : t.id] }
output "ssh"   { value = "ssh -p ${icgpu_instance.web.ssh_port} root@${icgpu_instance.web.ssh_host}" }
`, pub+"\n")
	c.write(header + managed)

	// init installs the provider from the mirror, offline, and records it in the lock file.
	out := c.ok("init", "-input=false", "-no-color")
	if !strings.Contains(out, "ic-gpu/icgpu v"+version) {
		t.Fatalf("init did not install the provider from the mirror:\n%s", out)
	}
	lock, err := os.ReadFile(filepath.Join(c.dir, ".terraform.lock.hcl"))
	if err != nil || !strings.Contains(string(lock), `provider "registry.terraform.io/ic-gpu/icgpu"`) {
		t.Fatalf("lock file: %v\n%s", err, lock)
	}

	c.ok("apply", "-auto-approve", "-input=false", "-no-color")
	var outputs struct {
		Tiers struct{ Value []string } `json:"tiers"`
		SSH   struct{ Value string }   `json:"ssh"`
	}
	if err := json.Unmarshal([]byte(c.ok("output", "-json")), &outputs); err != nil {
		t.Fatal(err)
	}
	if strings.Join(outputs.Tiers.Value, ",") != "dedicated,mig,timesliced" || !strings.HasPrefix(outputs.SSH.Value, "ssh -p ") {
		t.Fatalf("outputs: %+v", outputs)
	}

	// A second plan finds nothing to do (-detailed-exitcode: 0 = no changes, 2 = changes).
	if code, out := c.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("second plan exited %d (want 0, no changes):\n%s", code, out)
	}

	// An instance made through the API is adopted with tofu import, and then matches its config.
	inst := createInstance(t, tn, "adopted", pub)
	c.write(header + managed + fmt.Sprintf(`
resource "icgpu_instance" "adopted" {
  name          = "adopted"
  tier          = "mig"
  ssh_key       = %q
  storage_gb    = 20
  workload_type = "batch"
}
`, pub))
	c.ok("import", "-input=false", "-no-color", "icgpu_instance.adopted", inst)
	if code, out := c.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("plan after import exited %d (want 0, no changes):\n%s", code, out)
	}
	state := c.ok("state", "show", "-no-color", "icgpu_instance.adopted")
	if !strings.Contains(state, inst) || !strings.Contains(state, `"batch"`) {
		t.Fatalf("imported state:\n%s", state)
	}

	// Without credentials the provider says what to set.
	code, out := c.run([]string{"ICGPU_API_KEY=", "ICGPU_BASE_URL="}, "plan", "-input=false", "-no-color", "-refresh=false")
	if code == 0 || !strings.Contains(out, "Missing IC GPU API key") || !strings.Contains(out, "ICGPU_API_KEY") {
		t.Fatalf("plan without credentials exited %d:\n%s", code, out)
	}

	c.ok("destroy", "-auto-approve", "-input=false", "-no-color")
	assertGone(t, tn, inst)
	if left := strings.TrimSpace(c.ok("state", "list")); left != "" {
		t.Fatalf("state after destroy still lists:\n%s", left)
	}
}

// createInstance makes an instance through the API (not Terraform) and returns its id.
func createInstance(t *testing.T, tn *acctest.Tenant, name, pub string) string {
	t.Helper()
	var id string
	f := false
	err := tn.Client.Do(context.Background(), func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.CreateInstance(ctx, gql, gen.CreateInstanceInput{Name: name, Tier: "mig", SshKey: &pub,
			StorageGb: 20, WorkloadType: gen.WorkloadTypeBatch}, &f)
		if err == nil {
			id = out.CreateInstance.Instance.Id
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// assertGone checks through the API that destroy ended the instance.
func assertGone(t *testing.T, tn *acctest.Tenant, id string) {
	t.Helper()
	err := tn.Client.Do(context.Background(), func(ctx context.Context, gql graphql.Client) error {
		out, err := gen.GetInstance(ctx, gql, id)
		if err == nil && out.Instance.Status != gen.InstanceStatusTerminated {
			return fmt.Errorf("instance %s is %s after destroy", id, out.Instance.Status)
		}
		return err
	})
	if err != nil && !client.IsNotFound(err) {
		t.Fatal(err)
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "install.sh")); err != nil {
		t.Fatalf("install.sh not found in %s", dir)
	}
	return dir
}
