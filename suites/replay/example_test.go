package replay_test

import (
	"context"
	"fmt"

	"github.com/stripe-contract/stripe-contract/cassettes"
	"github.com/stripe-contract/stripe-contract/suites/replay"
)

// Replaying the bundled cassettes against the replay target, which answers
// exactly as recorded: nothing deviates.
func ExampleEngine_Run() {
	e, err := replay.New(cassettes.FS)
	if err != nil {
		fmt.Println(err)
		return
	}
	t := replay.Replay(cassettes.FS) // or replay.Open(ctx, "stripe-mock", cassettes.FS, os.Getenv)
	defer t.Close()
	rep, err := e.Run(context.Background(), t)
	if err != nil {
		fmt.Println(err)
		return
	}
	verdict := rep.Judge(nil) // or a baseline from replay.ReadBaseline
	fmt.Println(replay.Summary(rep, verdict))
	fmt.Println("failed:", verdict.Failed())
	// Output:
	// replay against replay: 41 interactions (0 skipped), 0 new deviations, 0 known, 0 minor, 0 stale baseline entries
	// failed: false
}
