package request

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/stripe-contract/stripe-contract/validators"
)

// ErrorDocBase is where Stripe documents its error codes; an error's doc_url
// is this followed by the code with dashes (parameter-unknown).
const ErrorDocBase = "https://docs.stripe.com/error-codes/"

// APIError is the error object of Stripe's error envelope
// ({"error": {...}}), as the API sends it for a request it rejects.
type APIError struct {
	Code    string `json:"code,omitempty"`
	DocURL  string `json:"doc_url,omitempty"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
	Type    string `json:"type"`
}

// Envelope is Stripe's error envelope.
type Envelope struct {
	Error APIError `json:"error"`
}

// Rejection builds the error the API would answer a request with for
// violation v: an invalid_request_error naming the parameter (param, as the
// request writes it: payment[type], expand[0]), with Stripe's error code
// where its catalogue has one for the case (parameter_unknown,
// parameter_missing, parameter_invalid_integer, parameters_exclusive, as
// stripe-go's ErrorCode constants name them) and no code otherwise (an
// out-of-range limit, a value outside an enum, a field that cannot be
// expanded), as stripe-mock answers every such request.
func (c *Checker) Rejection(v validators.Violation) Envelope {
	e := APIError{Type: "invalid_request_error", Message: v.Message, Param: paramName(v.Pointer), Code: c.code(v.Rule)}
	if e.Param == "" && e.Code == "parameter_unknown" {
		e.Code = "" // a query that is not form-encoded, a body on a GET: no parameter to name
	}
	if e.Code != "" {
		e.DocURL = ErrorDocBase + strings.ReplaceAll(e.Code, "_", "-")
	}
	return Envelope{Error: e}
}

// ErrorResponse is the HTTP answer to a request with these violations: 400
// and the JSON envelope for the first. With no violation it returns 0 and
// nil.
func (c *Checker) ErrorResponse(violations []validators.Violation) (status int, body []byte) {
	if len(violations) == 0 {
		return 0, nil
	}
	b, err := json.Marshal(c.Rejection(violations[0]))
	if err != nil {
		// An Envelope holds strings only: this cannot happen.
		return http.StatusBadRequest, []byte(`{"error":{"type":"invalid_request_error","message":"invalid request"}}`)
	}
	return http.StatusBadRequest, b
}
