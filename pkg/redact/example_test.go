package redact_test

import (
	"fmt"
	"os"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

func ExampleRedactor_String() {
	r := redact.New("hunter2-the-db-password") // e.g. what the runner masked
	fmt.Println(r.String("connecting with hunter2-the-db-password"))
	fmt.Println(r.String("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"))
	fmt.Println(r.String("git clone https://ci:s3cret@git.example.com/r.git"))
	fmt.Println(r.String("token: expired")) // prose stays
	// Output:
	// connecting with [redacted: masked value]
	// AWS_ACCESS_KEY_ID=[redacted: aws access key id]
	// git clone https://[redacted: url credentials]@git.example.com/r.git
	// token: expired
}

func ExampleRedactor_Stream() {
	var r redact.Redactor
	st := r.Stream()
	for _, line := range []string{"key follows", "-----BEGIN EC PRIVATE KEY-----", "MHcCAQEEIA", "-----END EC PRIVATE KEY-----", "done"} {
		fmt.Println(st.Line(line))
	}
	// Output:
	// key follows
	// [redacted: private key]
	// [redacted: private key]
	// [redacted: private key]
	// done
}

func ExampleRedactor_Writer() {
	var r redact.Redactor
	w := r.Writer(os.Stdout)
	fmt.Fprint(w, "Authorization: Basic QWxhZGRp")
	fmt.Fprint(w, "bjpvcGVuIHNlc2FtZQ==\nok\n") // a secret split across writes
	w.Close()
	// Output:
	// Authorization: Basic [redacted: credentials]
	// ok
}
