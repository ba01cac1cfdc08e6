// Package acctest is the acceptance tests' rig: a real `icgpu serve` on 127.0.0.1 (the repository's
// own .venv/bin/icgpu, or ICGPU_BIN), fresh tenants on it, the provider served in-process, and a
// client for changes made outside Terraform.
package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fast are the timings the Python and TypeScript suites use: the local provisioner takes 0.3 s.
var fast = map[string]string{
	"ICGPU_LOCAL_PROVISION_SECONDS":     "0.3",
	"ICGPU_LOCAL_STOP_SECONDS":          "0.2",
	"ICGPU_RECONCILE_INTERVAL_SECONDS":  "0.1",
	"ICGPU_EVENT_POLL_INTERVAL_SECONDS": "0.05",
	"ICGPU_RATE_LIMIT_API":              "100000",
	"ICGPU_RATE_LIMIT_LLM":              "100000",
}

const (
	startTimeout = 60 * time.Second
	stopTimeout  = 10 * time.Second
)

// Server is one icgpu process with its own data dir and SQLite database.
type Server struct {
	URL  string
	Dir  string
	bin  string
	root string
	env  []string
	cmd  *exec.Cmd
	done chan struct{}
}

// RepoRoot is the repository's root: the first parent of the working directory holding pyproject.toml.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 10 {
		if _, err := os.Stat(filepath.Join(dir, "pyproject.toml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("acctest: no pyproject.toml above the working directory")
}

// StartServer starts icgpu serve on a free loopback port and waits until /readyz answers 200.
func StartServer(extraEnv map[string]string) (*Server, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	bin := os.Getenv("ICGPU_BIN")
	if bin == "" {
		bin = filepath.Join(root, ".venv", "bin", "icgpu")
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("acctest: %s not found (run make install, or set ICGPU_BIN): %w", bin, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "icgpu-tf-acc-")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Dir: dir, bin: bin, root: root, done: make(chan struct{})}
	env := map[string]string{}
	for k, v := range fast {
		env[k] = v
	}
	env["ICGPU_DATA_DIR"] = filepath.Join(dir, "data")
	env["ICGPU_DATABASE_URL"] = "sqlite+aiosqlite:///" + filepath.Join(dir, "icgpu.db")
	env["ICGPU_PUBLIC_URL"] = s.URL
	for k, v := range extraEnv {
		env[k] = v
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ICGPU_") {
			s.env = append(s.env, kv)
		}
	}
	for k, v := range env {
		s.env = append(s.env, k+"="+v)
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--log-level", "info")
	s.cmd.Dir = root
	s.cmd.Env = s.env
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, err
	}
	_ = logf.Close()
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	hc := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("acctest: server exited during start-up:\n%s", s.Log())
		default:
		}
		if resp, err := hc.Get(s.URL + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("acctest: server not ready after %s:\n%s", startTimeout, s.Log())
}

// Stop ends the server by its own process id (SIGTERM, then SIGKILL) and removes its data dir.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	if os.Getenv("ICGPU_KEEP_TEST_DIRS") == "" {
		_ = os.RemoveAll(s.Dir)
	}
}

// Log is the server's output so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
	if len(b) > 6000 {
		b = b[len(b)-6000:]
	}
	return string(b)
}

// CLI runs `icgpu <args>` against this server's database and returns its standard output.
func (s *Server) CLI(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Dir = s.root
	cmd.Env = s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("icgpu %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// Bootstrap makes a tenant with an owner and returns the owner's API key (full permissions).
func (s *Server) Bootstrap(tenant, email string) (string, error) {
	out, err := s.CLI("admin", "bootstrap", "--tenant", tenant, "--email", email)
	if err != nil {
		return "", err
	}
	var res struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.APIKey == "" {
		return "", fmt.Errorf("acctest: unexpected bootstrap output %q: %v", out, err)
	}
	return res.APIKey, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
