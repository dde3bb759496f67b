package secret_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"net/url"

	"github.com/stripe-contract/stripe-contract/recorder/secret"
)

// Secrets are assembled here so that the repository holds none.
var (
	exampleKey          = "sk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
	exampleClientSecret = "pi_3MtwBwLkdIwHu7ix28a3tqPa" + "_secret_" + "YrKJUKribcBjcG8HVhfZluoGH"
)

func ExampleRedact() {
	fmt.Println(secret.Redact("Authorization: Bearer " + exampleKey))
	// Percent-encoded: exactly the escaped secret is replaced.
	fmt.Println(secret.Redact("/v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa?client_secret=" + url.QueryEscape(`"`+exampleClientSecret+`"`)))
	// In a base64 token, the token is replaced.
	fmt.Println(secret.Redact(`{"token":"` + base64.StdEncoding.EncodeToString([]byte(exampleKey+":")) + `","livemode":false}`))
	// Ordinary text is left as it is.
	fmt.Println(secret.Redact("pk_test_TYooMQauvdEDq54NiTphI7jx start_after=pi_3Abc"))
	// Output:
	// Authorization: Bearer [REDACTED]
	// /v1/payment_intents/pi_3MtwBwLkdIwHu7ix28a3tqPa?client_secret=%22[REDACTED]%22
	// {"token":"[REDACTED]","livemode":false}
	// pk_test_TYooMQauvdEDq54NiTphI7jx start_after=pi_3Abc
}

func ExampleScanner_Scan() {
	// The request carried a Basic credential; the server echoes its
	// password in an error, and a body holds a secret key gzipped.
	sc := secret.NewScanner("correct-horse-battery")
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	fmt.Fprintf(w, `{"object":"list","data":[{"key":%q,"note":"hidden in a compressed body, repeated, repeated, repeated"}]}`, exampleKey)
	w.Close()
	body := `{"error":{"message":"bad password correct%2Dhorse%2Dbattery"},"attachment":"` + base64.StdEncoding.EncodeToString(gz.Bytes()) + `"}`
	for _, f := range sc.Scan([]byte(body)) {
		fmt.Printf("%s (%s) redactable=%v\n", f.Family, f.Encoding, f.Redactable)
	}
	for _, f := range sc.Scan([]byte(sc.Redact(body))) {
		fmt.Printf("after Redact: %s (%s) redactable=%v\n", f.Family, f.Encoding, f.Redactable)
	}
	// Output:
	// credential (percent-encoded) redactable=true
	// secret-key (base64 of gzip) redactable=false
	// after Redact: secret-key (base64 of gzip) redactable=false
}

func ExampleIsSecretField() {
	fmt.Println(secret.IsSecretField("payment_intent", "client_secret"))
	fmt.Println(secret.IsSecretField("", "payment_intent_data[client_secret]"))
	fmt.Println(secret.IsSecretField("webhook_endpoint", "secret"))
	fmt.Println(secret.IsSecretField(secret.OAuthToken, "code"))
	fmt.Println(secret.IsSecretField("promotion_code", "code"))
	// Output:
	// true
	// true
	// true
	// true
	// false
}
