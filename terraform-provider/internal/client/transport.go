package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Transport is the provider's one http.RoundTripper: it authenticates every request, gives every
// GraphQL mutation one Idempotency-Key that all its retries share, and retries 429, 502 and 503
// (and connections that fail before an answer) with exponential backoff and jitter, honouring
// Retry-After. A retried mutation is safe because the server replays the first answer for a key.
type Transport struct {
	APIKey    string
	UserAgent string
	// Base does the actual exchange; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxRetries is the number of retries after the first attempt.
	MaxRetries int
	// MinBackoff and MaxBackoff bound one wait; a Retry-After longer than MaxWait ends the retries.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	MaxWait    time.Duration
	// NewKey makes idempotency keys; nil means 32 random hex digits.
	NewKey func() string
}

// retryable are the statuses worth another attempt: throttled, or a gateway that lost the server.
var retryable = map[int]bool{http.StatusTooManyRequests: true, http.StatusBadGateway: true, http.StatusServiceUnavailable: true}

// RoundTrip sends req, retrying as described on Transport. The request body is buffered once so
// every attempt sends the same bytes.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	key := ""
	if isMutation(body) {
		key = t.newKey()
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	info := callInfoFrom(req.Context())
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.Header.Set("Authorization", "Bearer "+t.APIKey)
		if t.UserAgent != "" {
			r.Header.Set("User-Agent", t.UserAgent)
		}
		if key != "" {
			r.Header.Set("Idempotency-Key", key)
		}
		resp, err := base.RoundTrip(r)
		if info != nil {
			info.Attempts = attempt + 1
			info.IdempotencyKey = key
			if resp != nil {
				info.RequestID = resp.Header.Get("X-Request-Id")
			}
		}
		if attempt >= t.MaxRetries || (err == nil && !retryable[resp.StatusCode]) || (err != nil && !retryableError(req.Context(), err)) {
			return resp, err
		}
		wait := t.backoff(attempt)
		if err == nil {
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if ra > t.maxWait() {
					return resp, nil // the server asks for longer than we may wait: give its answer back
				}
				wait = max(wait, ra)
			}
			// Drain so the connection can be reused, then wait for the next attempt.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			_ = resp.Body.Close()
		}
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, req.Context().Err()
		case <-timer.C:
		}
	}
}

func (t *Transport) newKey() string {
	if t.NewKey != nil {
		return t.NewKey()
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (t *Transport) maxWait() time.Duration {
	if t.MaxWait > 0 {
		return t.MaxWait
	}
	return time.Minute
}

// backoff is the wait before retry number attempt+1: MinBackoff doubled per attempt, capped at
// MaxBackoff, with full jitter in its upper half so concurrent clients spread out.
func (t *Transport) backoff(attempt int) time.Duration {
	lo, hi := t.MinBackoff, t.MaxBackoff
	if lo <= 0 {
		lo = 250 * time.Millisecond
	}
	if hi < lo {
		hi = max(lo, 8*time.Second)
	}
	d := time.Duration(float64(lo) * math.Pow(2, float64(attempt)))
	if d > hi || d <= 0 {
		d = hi
	}
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// retryableError: a request that failed without an answer (refused, reset, timed out) is retried
// unless the caller's context ended.
func retryableError(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	return true
}

// isMutation reports whether a GraphQL request body carries a mutation operation.
func isMutation(body []byte) bool {
	var req struct {
		Query string `json:"query"`
	}
	if len(body) == 0 || json.Unmarshal(body, &req) != nil {
		return false
	}
	return operationKind(req.Query) == "mutation"
}

// operationKind is the keyword of the first operation in a GraphQL document ("query" when the
// document starts with a bare selection set), skipping comments and fragment definitions.
func operationKind(doc string) string {
	for _, line := range strings.Split(doc, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "{") {
			return "query"
		}
		for _, kw := range []string{"mutation", "subscription", "query"} {
			if line == kw || strings.HasPrefix(line, kw+" ") || strings.HasPrefix(line, kw+"(") || strings.HasPrefix(line, kw+"{") {
				return kw
			}
		}
	}
	return ""
}
