//go:build mpi

package dist

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/internal/testutil"
)

func TestMain(m *testing.M) {
	if os.Getenv("RMT_DIST_CHILD") != "" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// child runs the collectives on every rank and reports what it saw.
func child() int {
	c, err := Init()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer c.Finalize()
	r, n := c.Rank(), c.Size()
	f32 := []float32{float32(r + 1), 0.5}
	f64 := []float64{float64(r + 1)}
	if err := c.SumFloat32(f32); err != nil {
		fmt.Println(err)
		return 1
	}
	if err := c.SumFloat64(f64); err != nil {
		fmt.Println(err)
		return 1
	}
	rows, err := c.Rows(5, 2, func(i int, row []float64) error {
		row[0], row[1] = float64(i), float64(r)
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	same := c.Same("a hash", 7)
	differ := c.Same("a hash", uint64(r))
	fmt.Printf("rank %d of %d: f32 %v f64 %v rows %v same %v differ %v\n", r, n, f32, f64, rows, same, differ)
	return 0
}

// TestCollectives: under mpirun -np 3, sums add every rank's values on
// every rank, Rows brings each row from the rank that computed it, and
// Same tells equal hashes from different ones, naming the ranks.
func TestCollectives(t *testing.T) {
	cmd := testutil.MPIRun(t, 3, "-x", "RMT_DIST_CHILD", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RMT_DIST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := 0; r < 3; r++ {
		want := fmt.Sprintf("rank %d of 3: f32 [6 1.5] f64 [6] rows [0 0 1 1 2 2 3 0 4 1] same <nil> differ dist: a hash differs between ranks: rank 1, 2 against rank 0", r)
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
