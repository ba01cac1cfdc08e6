package acctest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"golang.org/x/crypto/ssh"

	"github.com/ic-gpu/terraform-provider-icgpu/internal/client"
)

// apiTimeout bounds one out-of-band API call of a test.
const apiTimeout = 30 * time.Second

// Lookup asks the API for the resource with this id; a 404 error means it is gone.
type Lookup func(ctx context.Context, gql graphql.Client, id string) error

// PublicKey is a fresh ed25519 public key line with a comment, as ssh-keygen writes it.
func PublicKey(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " tf-test@example.com"
}

// CheckAPI runs fn with the id of resourceName from the state against the API.
func CheckAPI(tn *Tenant, resourceName string, fn Lookup) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, resourceName)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), apiTimeout)
		defer cancel()
		return tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error { return fn(ctx, gql, id) })
	}
}

// CheckGone is a CheckDestroy: every resource of type resourceType in the last state must be gone
// from the API (lookup answers 404).
func CheckGone(tn *Tenant, resourceType string, lookup Lookup) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), apiTimeout)
			err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error { return lookup(ctx, gql, rs.Primary.ID) })
			cancel()
			if err == nil {
				return fmt.Errorf("%s %s still exists after destroy", resourceType, rs.Primary.ID)
			}
			if !client.IsNotFound(err) {
				return fmt.Errorf("%s %s: %w", resourceType, rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// SaveID stores the id of resourceName, for CheckIDChanged / CheckIDSame in a later step.
func SaveID(resourceName string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		v, err := stateID(s, resourceName)
		*id = v
		return err
	}
}

// CheckIDChanged passes when resourceName now has another id than the saved one (it was replaced),
// and saves the new one.
func CheckIDChanged(resourceName string, saved *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, resourceName)
		if err != nil {
			return err
		}
		if id == *saved {
			return fmt.Errorf("%s kept id %s: expected a replacement", resourceName, id)
		}
		*saved = id
		return nil
	}
}

// CheckIDSame passes when resourceName still has the saved id (it was updated in place).
func CheckIDSame(resourceName string, saved *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, resourceName)
		if err != nil {
			return err
		}
		if id != *saved {
			return fmt.Errorf("%s changed id from %s to %s: expected an in-place update", resourceName, *saved, id)
		}
		return nil
	}
}

// DeleteOutOfBand is a PreConfig that deletes, through the API and not through Terraform, the
// resource whose id an earlier step saved with SaveID into *id.
func DeleteOutOfBand(t *testing.T, tn *Tenant, id *string, del Lookup) func() {
	return func() {
		t.Helper()
		if id == nil || *id == "" {
			t.Fatal("DeleteOutOfBand: no saved id (use SaveID in the step before)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), apiTimeout)
		defer cancel()
		if err := tn.Client.Do(ctx, func(ctx context.Context, gql graphql.Client) error { return del(ctx, gql, *id) }); err != nil {
			t.Fatalf("out-of-band delete of %s: %v", *id, err)
		}
	}
}

func stateID(s *terraform.State, resourceName string) (string, error) {
	rs, ok := s.RootModule().Resources[resourceName]
	if !ok {
		return "", fmt.Errorf("%s not in state", resourceName)
	}
	if rs.Primary == nil || rs.Primary.ID == "" {
		return "", fmt.Errorf("%s has no id in state", resourceName)
	}
	return rs.Primary.ID, nil
}
