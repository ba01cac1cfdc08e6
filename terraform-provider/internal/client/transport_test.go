package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"

	gen "github.com/ic-gpu/terraform-provider-icgpu/internal/client/generated"
)

// recorder is a loopback GraphQL endpoint that answers from a script of statuses and records what
// each attempt carried.
type recorder struct {
	mu       sync.Mutex
	statuses []int               // one per attempt; 200 after the script runs out
	headers  map[int]http.Header // extra response headers by attempt
	seen     []http.Header
	bodies   []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.seen)
	r.seen = append(r.seen, req.Header.Clone())
	r.bodies = append(r.bodies, string(body))
	status := http.StatusOK
	if n < len(r.statuses) {
		status = r.statuses[n]
	}
	for k, v := range r.headers[n] {
		w.Header()[k] = v
	}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-"+string(rune('a'+n)))
	w.WriteHeader(status)
	if status == http.StatusOK {
		_, _ = io.WriteString(w, `{"data":{"gpuTiers":[],"deleteSshKey":{"dryRun":false,"valid":true,"sshKey":{"id":"key-1","name":"k","publicKey":"ssh-ed25519 AAAA","fingerprint":"SHA256:x","keyType":"ssh-ed25519","bits":256,"createdAt":"2026-11-27T00:00:00Z"}}}}`)
		return
	}
	_, _ = io.WriteString(w, `{"error":{"type":"ThrottlingException","code":"RateLimited","message":"slow down","request_id":"x"},"errors":[{"message":"slow down","extensions":{"code":"ThrottlingException","status":429,"reason":"RateLimited"}}]}`)
}

func newTestClient(t *testing.T, h http.Handler, retries int) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/", APIKey: "sk-ic-test", UserAgent: "ua/1", MaxRetries: retries,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func listTiers(c *Client) error {
	return c.Do(context.Background(), func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.ListGpuTiers(ctx, gql)
		return err
	})
}

func deleteKey(c *Client) error {
	f := false
	return c.Do(context.Background(), func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.DeleteSshKey(ctx, gql, "key-1", &f)
		return err
	})
}

func TestMutationRetriesShareOneIdempotencyKey(t *testing.T) {
	rec := &recorder{statuses: []int{502, 503, 429}}
	c := newTestClient(t, rec, 5)
	if err := deleteKey(c); err != nil {
		t.Fatalf("expected success after retries, got %v", err)
	}
	if len(rec.seen) != 4 {
		t.Fatalf("attempts = %d, want 4", len(rec.seen))
	}
	key := rec.seen[0].Get("Idempotency-Key")
	if len(key) != 32 {
		t.Fatalf("Idempotency-Key %q: want 32 hex digits", key)
	}
	for i, h := range rec.seen {
		if h.Get("Idempotency-Key") != key {
			t.Errorf("attempt %d carried key %q, want %q", i, h.Get("Idempotency-Key"), key)
		}
		if h.Get("Authorization") != "Bearer sk-ic-test" || h.Get("User-Agent") != "ua/1" {
			t.Errorf("attempt %d headers: %v", i, h)
		}
		if rec.bodies[i] != rec.bodies[0] || !strings.Contains(rec.bodies[i], "deleteSshKey") {
			t.Errorf("attempt %d sent another body: %q", i, rec.bodies[i])
		}
	}
	// A second mutation gets a key of its own.
	if err := deleteKey(c); err != nil {
		t.Fatal(err)
	}
	if rec.seen[4].Get("Idempotency-Key") == key {
		t.Error("a new mutation reused the previous mutation's Idempotency-Key")
	}
}

func TestQueriesCarryNoIdempotencyKey(t *testing.T) {
	rec := &recorder{}
	c := newTestClient(t, rec, 5)
	if err := listTiers(c); err != nil {
		t.Fatal(err)
	}
	if got := rec.seen[0].Get("Idempotency-Key"); got != "" {
		t.Fatalf("query carried Idempotency-Key %q", got)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	rec := &recorder{statuses: []int{429}, headers: map[int]http.Header{0: {"Retry-After": []string{"1"}}}}
	c := newTestClient(t, rec, 3)
	start := time.Now()
	if err := listTiers(c); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %s; Retry-After asked for 1 s", waited)
	}
}

func TestRetryAfterLongerThanMaxWaitReturnsTheThrottle(t *testing.T) {
	rec := &recorder{statuses: []int{429}, headers: map[int]http.Header{0: {"Retry-After": []string{"3600"}}}}
	c := newTestClient(t, rec, 3)
	err := listTiers(c)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 || apiErr.Type != "ThrottlingException" || apiErr.RequestID != "req-a" {
		t.Fatalf("want the 429 as *APIError with its request id, got %#v", err)
	}
	if len(rec.seen) != 1 {
		t.Fatalf("attempts = %d, want 1 (an hour is longer than the client waits)", len(rec.seen))
	}
}

func TestRetriesStopAtMaxRetries(t *testing.T) {
	rec := &recorder{statuses: []int{503, 503, 503, 503, 503}}
	c := newTestClient(t, rec, 2)
	err := listTiers(c)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 429 && apiErr.Status != 503 {
		t.Fatalf("want an *APIError after the last retry, got %v", err)
	}
	if len(rec.seen) != 3 {
		t.Fatalf("attempts = %d, want 3 (1 + 2 retries)", len(rec.seen))
	}
	if apiErr.RequestID != "req-c" {
		t.Fatalf("request id %q: want the last answer's (req-c)", apiErr.RequestID)
	}
}

func TestOtherStatusesAreNotRetried(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 500} {
		rec := &recorder{statuses: []int{status}}
		c := newTestClient(t, rec, 5)
		if err := listTiers(c); err == nil {
			t.Fatalf("status %d: expected an error", status)
		}
		if len(rec.seen) != 1 {
			t.Fatalf("status %d was retried (%d attempts)", status, len(rec.seen))
		}
	}
}

func TestRefusedConnectionsAreRetriedThenReported(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	c, err := New(Config{BaseURL: "http://" + addr, APIKey: "k", MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var attempts int
	err = c.Do(context.Background(), func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.ListGpuTiers(ctx, gql)
		attempts = callInfoFrom(ctx).Attempts
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("want a connection error, got %v", err)
	}
	if attempts != 3 {
		t.Fatalf("attempts = %d, want 3", attempts)
	}
}

func TestCancelledContextStopsRetrying(t *testing.T) {
	rec := &recorder{statuses: []int{503}, headers: map[int]http.Header{0: {"Retry-After": []string{"30"}}}}
	c := newTestClient(t, rec, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {
		_, err := gen.ListGpuTiers(ctx, gql)
		return err
	})
	if err == nil || time.Since(start) > 10*time.Second {
		t.Fatalf("want the context's error promptly, got %v after %s", err, time.Since(start))
	}
}

func TestNewRefusesBadBaseURLs(t *testing.T) {
	for _, u := range []string{"", "  ", "gpu.example.com", "ftp://x"} {
		if _, err := New(Config{BaseURL: u, APIKey: "k"}); err == nil {
			t.Errorf("base URL %q accepted", u)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{"0": 0, "7": 7 * time.Second, now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second}
	for in, want := range cases {
		got, ok := retryAfter(in, now)
		if !ok || got != want {
			t.Errorf("retryAfter(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "-1"} {
		if _, ok := retryAfter(in, now); ok {
			t.Errorf("retryAfter(%q) accepted", in)
		}
	}
}

func TestOperationKind(t *testing.T) {
	cases := map[string]string{
		"\nmutation CreateInstance ($input: X!) {\n a }":            "mutation",
		"query GetInstance ($id: ID!) { instance(id: $id) { id } }": "query",
		"{ gpuTiers { id } }":             "query",
		"# comment\nsubscription W { a }": "subscription",
		"mutation{a}":                     "mutation",
		"":                                "",
	}
	for doc, want := range cases {
		if got := operationKind(doc); got != want {
			t.Errorf("operationKind(%q) = %q, want %q", doc, got, want)
		}
	}
}
