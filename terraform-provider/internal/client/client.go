// Package client is the provider's way to the IC GPU API: the genqlient-generated operations
// (package generated, from schema/schema.graphql and schema/operations) over one Transport, with
// API errors turned into *APIError values that carry the request id.
package client

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
)

// Config holds what the provider block (or the environment) gives.
type Config struct {
	BaseURL   string
	APIKey    string
	UserAgent string
	// MaxRetries after the first attempt (default 5, negative for none); Timeout bounds one call,
	// its retries and waits included (default 2 minutes).
	MaxRetries int
	Timeout    time.Duration
	// Base replaces http.DefaultTransport (tests).
	Base       http.RoundTripper
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Client runs generated operations: `c.Do(ctx, func(ctx context.Context, gql graphql.Client) error {...})`.
type Client struct {
	gql     graphql.Client
	baseURL string
}

// New returns a Client for cfg; BaseURL is the server's root (…/graphql is appended).
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		return nil, errors.New("base_url is empty")
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, errors.New("base_url must start with http:// or https://, got " + cfg.BaseURL)
	}
	retries := cfg.MaxRetries
	if retries == 0 {
		retries = 5
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	tr := &Transport{
		APIKey:     cfg.APIKey,
		UserAgent:  cfg.UserAgent,
		Base:       cfg.Base,
		MaxRetries: max(retries, 0),
		MinBackoff: cfg.MinBackoff,
		MaxBackoff: cfg.MaxBackoff,
	}
	httpClient := &http.Client{Transport: tr, Timeout: timeout}
	return &Client{gql: graphql.NewClient(base+"/graphql", httpClient), baseURL: base}, nil
}

// BaseURL is the server root the client talks to.
func (c *Client) BaseURL() string { return c.baseURL }

// Do runs fn (one or more generated operations) and returns its error as an *APIError carrying
// the request id of the last answer, when the API answered with an error.
func (c *Client) Do(ctx context.Context, fn func(ctx context.Context, gql graphql.Client) error) error {
	info := &CallInfo{}
	err := fn(withCallInfo(ctx, info), c.gql)
	return asAPIError(err, info.RequestID)
}

// CallInfo records, for one Do, what the transport saw last.
type CallInfo struct {
	RequestID      string
	IdempotencyKey string
	Attempts       int
}

type callInfoKey struct{}

func withCallInfo(ctx context.Context, info *CallInfo) context.Context {
	return context.WithValue(ctx, callInfoKey{}, info)
}

func callInfoFrom(ctx context.Context) *CallInfo {
	info, _ := ctx.Value(callInfoKey{}).(*CallInfo)
	return info
}
