package clitest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/acctest"
)

// TestExamplesValidate runs `tofu validate` on every example under examples/ (each in a copy with
// the provider's required_providers block when it has none), so the documented examples keep up
// with the provider's schema.
func TestExamplesValidate(t *testing.T) {
	c := newCLI(t, acctest.NewTenant(t))
	root := filepath.Join(moduleRoot(t), "examples")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
			dir := filepath.Dir(path)
			if len(dirs) == 0 || dirs[len(dirs)-1] != dir {
				dirs = append(dirs, dir)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"provider", "resources/icgpu_instance", "resources/icgpu_ssh_key", "resources/icgpu_api_key", "data-sources/icgpu_gpu_tiers", "resources/icgpu_vm", "resources/icgpu_cluster", "data-sources/icgpu_vm_templates",
		"resources/icgpu_model_deployment", "resources/icgpu_spending_alert", "data-sources/icgpu_token_packages", "data-sources/icgpu_model_catalogue"}
	for _, w := range want {
		if _, err := os.Stat(filepath.Join(root, w)); err != nil {
			t.Errorf("missing example %s", w)
		}
	}
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			work := t.TempDir()
			hasBlock := false
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".tf") {
					continue
				}
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				hasBlock = hasBlock || strings.Contains(string(b), "required_providers")
				if err := os.WriteFile(filepath.Join(work, e.Name()), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if !hasBlock {
				versions := strings.Replace(header, `version = "`+version+`"`, "", 1)
				versions = versions[:strings.Index(versions, "provider \"icgpu\"")]
				if err := os.WriteFile(filepath.Join(work, "versions_test.tf"), []byte(versions), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			sub := *c
			sub.t, sub.dir = t, work
			sub.ok("init", "-input=false", "-no-color", "-backend=false")
			sub.ok("validate", "-no-color")
		})
	}
}
