package client

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// APIError is an error the API answered with: its type (extensions.code, e.g. NotFoundException),
// the HTTP status it stands for, the field it names, its message and the request id to quote
// when asking the operator about it.
type APIError struct {
	Type      string
	Reason    string
	Status    int
	Field     string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	msg := e.Message
	if e.Type != "" {
		msg = e.Type + ": " + msg
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// IsNotFound reports whether err is the API's 404 for the resource asked about.
func IsNotFound(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound
}

// IsConflict reports whether err is the API's 409 (state conflicts, names in use).
func IsConflict(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict
}

// asAPIError turns what the generated client returned into an *APIError carrying requestID. GraphQL
// errors (in a 200 answer or an HTTP error's body) keep the first error's extensions; an HTTP error
// without a GraphQL body keeps its status; anything else (a refused connection) is returned as is.
func asAPIError(err error, requestID string) error {
	if err == nil {
		return nil
	}
	var httpErr *graphql.HTTPError
	if errors.As(err, &httpErr) {
		if e := fromGQLErrors(httpErr.Response.Errors, requestID); e != nil {
			if e.Status == 0 {
				e.Status = httpErr.StatusCode
			}
			return e
		}
		return &APIError{Status: httpErr.StatusCode, Message: fmt.Sprintf("HTTP %d %s", httpErr.StatusCode, http.StatusText(httpErr.StatusCode)), RequestID: requestID}
	}
	var list gqlerror.List
	if errors.As(err, &list) {
		if e := fromGQLErrors(list, requestID); e != nil {
			return e
		}
	}
	var one *gqlerror.Error
	if errors.As(err, &one) {
		return fromGQLErrors(gqlerror.List{one}, requestID)
	}
	return err
}

func fromGQLErrors(list gqlerror.List, requestID string) *APIError {
	if len(list) == 0 || list[0] == nil {
		return nil
	}
	first := list[0]
	e := &APIError{Message: first.Message, RequestID: requestID}
	ext := first.Extensions
	if v, ok := ext["code"].(string); ok {
		e.Type = v
	}
	if v, ok := ext["reason"].(string); ok {
		e.Reason = v
	}
	if v, ok := ext["field"].(string); ok {
		e.Field = v
	}
	switch v := ext["status"].(type) {
	case float64:
		e.Status = int(v)
	case int:
		e.Status = v
	}
	return e
}
