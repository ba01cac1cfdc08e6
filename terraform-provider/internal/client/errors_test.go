package client

import (
	"errors"
	"net/http"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestGraphQLErrorsBecomeAPIErrors(t *testing.T) {
	list := gqlerror.List{{Message: "instance inst-x not found", Extensions: map[string]any{
		"code": "NotFoundException", "status": float64(404), "reason": "NotFound", "field": "id"}}}
	err := asAPIError(list, "req-1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %T", err)
	}
	want := APIError{Type: "NotFoundException", Reason: "NotFound", Status: 404, Field: "id", Message: "instance inst-x not found", RequestID: "req-1"}
	if *apiErr != want {
		t.Fatalf("got %+v, want %+v", *apiErr, want)
	}
	if !IsNotFound(err) || IsConflict(err) {
		t.Fatal("IsNotFound/IsConflict disagree with the status")
	}
	if got := apiErr.Error(); got != "NotFoundException: instance inst-x not found (request id req-1)" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestHTTPErrorsKeepTheirStatus(t *testing.T) {
	withBody := &graphql.HTTPError{StatusCode: 401, Response: graphql.Response{Errors: gqlerror.List{{Message: "invalid API key",
		Extensions: map[string]any{"code": "UnauthorizedException"}}}}}
	err := asAPIError(withBody, "req-2")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Type != "UnauthorizedException" || apiErr.Message != "invalid API key" {
		t.Fatalf("got %#v", err)
	}
	bare := &graphql.HTTPError{StatusCode: http.StatusBadGateway}
	if !errors.As(asAPIError(bare, ""), &apiErr) || apiErr.Status != 502 || apiErr.Message != "HTTP 502 Bad Gateway" {
		t.Fatalf("got %#v", apiErr)
	}
}

func TestOtherErrorsPassThrough(t *testing.T) {
	plain := errors.New("dial tcp: connection refused")
	if got := asAPIError(plain, "req-3"); got != plain {
		t.Fatalf("got %v", got)
	}
	if asAPIError(nil, "x") != nil {
		t.Fatal("nil became an error")
	}
}
