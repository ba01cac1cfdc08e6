package acctest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Driving the local provisioner's simulated cluster from a test. The local provisioner
// (server/icgpu/provisioning/local/simulator.py) keeps one row per workload in the server's own
// SQLite database, table sim_pods. A workload whose phase is "Failed" is what a crashed pod looks
// like to the reconciler (server/icgpu/workers/reconciler.py): a provisioning or running instance
// whose workload is Failed becomes ERROR with the workload's reason as its status reason. Nothing
// in the API can make a workload fail, so the helpers below write that row directly, the least
// invasive way: a short statement through the repository's Python (its sqlite3 module), on a
// server the test started or the shared one, touching only the workload of the test's instance.

// failWorkloadScript sets the workload of the instance whose column (id or name) equals argv[2]
// to Failed with reason argv[3], if it is starting or running, and prints how many it changed.
const failWorkloadScript = `import sqlite3, sys
db, col, value, reason = sys.argv[1:5]
assert col in ("id", "name")
c = sqlite3.connect(db, timeout=30)
n = c.execute("UPDATE sim_pods SET phase = 'Failed', reason = ? WHERE phase IN ('Starting', 'Running') "
              "AND instance_id IN (SELECT id FROM instances WHERE " + col + " = ? AND status != 'terminated')",
              (reason, value)).rowcount
c.commit()
print(n)
`

// FailWorkload marks the simulated workload of instance id on s as failed with reason; the
// reconciler then moves the instance to ERROR. It reports whether a starting or running workload
// was found.
func (s *Server) FailWorkload(instanceID, reason string) (bool, error) {
	return s.failWorkload("id", instanceID, reason)
}

// FailWorkloadOfName is FailWorkload for the live instance with this name (for an instance whose
// id the test does not know yet, e.g. while Terraform is still creating it).
func (s *Server) FailWorkloadOfName(name, reason string) (bool, error) {
	return s.failWorkload("name", name, reason)
}

func (s *Server) failWorkload(col, value, reason string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	python := filepath.Join(s.root, ".venv", "bin", "python")
	cmd := exec.CommandContext(ctx, python, "-c", failWorkloadScript, filepath.Join(s.Dir, "icgpu.db"), col, value, reason)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("acctest: marking the workload of %s %s failed: %w: %s", col, value, err, out)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		return false, fmt.Errorf("acctest: unexpected output %q", out)
	}
	return n > 0, nil
}
