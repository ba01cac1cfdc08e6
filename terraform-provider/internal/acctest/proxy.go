package acctest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// LossyProxy is a loopback reverse proxy to a server that loses one answer: the first request
// whose body contains Match is forwarded, the server answers (and commits), and the client gets a
// 502 instead, as from a gateway that lost the upstream's response. Every other request passes
// through untouched. Point a provider's base_url at URL (Tenant.Via does).
type LossyProxy struct {
	URL   string
	Match string

	target *url.URL
	srv    *httptest.Server

	mu       sync.Mutex
	lost     []byte // the body of the answer the client never got
	requests int    // requests whose body contained Match
}

// NewLossyProxy starts a proxy to target (a server root URL) that loses the answer to the first
// request containing match; t.Cleanup closes it.
func NewLossyProxy(t *testing.T, target, match string) *LossyProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &LossyProxy{Match: match, target: u}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

// Lost is the body of the answer the proxy kept from the client (nil until one was lost).
func (p *LossyProxy) Lost() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lost
}

// Requests counts the requests that contained Match (the lost one and its retries).
func (p *LossyProxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

func (p *LossyProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := p.forward(r, body)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body) // the whole answer: the server has finished (and committed)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	if p.loses(body, answer) {
		http.Error(w, "proxy: upstream answer lost", http.StatusBadGateway)
		return
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// loses records a request containing Match and reports whether its answer is the one to lose.
func (p *LossyProxy) loses(body, answer []byte) bool {
	if !strings.Contains(string(body), p.Match) {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if p.lost != nil {
		return false
	}
	p.lost = answer
	return true
}

func (p *LossyProxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	u := *p.target
	u.Path = strings.TrimRight(p.target.Path, "/") + r.URL.Path
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	out.Header.Del("Accept-Encoding") // let the transport ask for gzip itself, so Lost() is plain JSON
	out.Host = p.target.Host
	return http.DefaultTransport.RoundTrip(out)
}

// Via is a copy of the tenant whose provider block reaches the API through proxyURL.
func (tn *Tenant) Via(proxyURL string) *Tenant {
	c := *tn
	c.URL = proxyURL
	return &c
}
