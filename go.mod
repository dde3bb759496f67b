module github.com/stripe-contract/stripe-contract

go 1.26

require (
	github.com/go-json-experiment/json v0.0.0-20260820222146-c27c302e5fc3
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
	github.com/stripe/stripe-mock v0.203.0
)
