package graph

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestGorgoniaStockOpsStillWrong pins the stock Gorgonia results that
// docs/gorgonia.md says this package works around, so that the document
// stays true: when an upgrade fixes one, this test fails and the
// workaround can be reconsidered.
func TestGorgoniaStockOpsStillWrong(t *testing.T) {
	run := func(g *G.ExprGraph) {
		t.Helper()
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
	}
	vec := func(g *G.ExprGraph, name string, v ...float64) *G.Node {
		return G.NewVector(g, tensor.Float64, G.WithShape(len(v)), G.WithName(name), G.WithValue(tensor.New(tensor.WithBacking(v))))
	}

	t.Run("LogSumExp", func(t *testing.T) {
		g := G.NewGraph()
		l, err := G.LogSumExp(vec(g, "x", 1, 2, 3), 0)
		if err != nil {
			t.Fatal(err)
		}
		run(g)
		got, want := l.Value().Data().(float64), math.Log(math.Exp(1)+math.Exp(2)+math.Exp(3))
		if math.Abs(got-want) < 1e-9 {
			t.Errorf("LogSumExp([1 2 3]) = %v, right now (was 1.5048)", got)
		}
	})

	t.Run("InverseSqrt gradient", func(t *testing.T) {
		g := G.NewGraph()
		x := G.NewScalar(g, tensor.Float64, G.WithName("x"), G.WithValue(4.0))
		y, err := G.InverseSqrt(x)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := G.Grad(y, x); err != nil {
			t.Fatal(err)
		}
		run(g)
		gx, _ := x.Grad()
		if got := gx.Data().(float64); math.Abs(got-(-0.0625)) < 1e-12 {
			t.Errorf("d(x^-1/2)/dx at 4 = %v, right now (was -4)", got)
		}
	})

	t.Run("SoftMax rows far from the first element", func(t *testing.T) {
		g := G.NewGraph()
		x := G.NewMatrix(g, tensor.Float32, G.WithShape(3, 3), G.WithName("x"),
			G.WithValue(tensor.New(tensor.WithShape(3, 3), tensor.WithBacking([]float32{0, 0, 0, 100, 0, 0, -120, -121, -122}))))
		s, err := G.SoftMax(x)
		if err != nil {
			t.Fatal(err)
		}
		run(g)
		nan := 0
		for _, v := range s.Value().Data().([]float32) {
			if math.IsNaN(float64(v)) {
				nan++
			}
		}
		if nan == 0 {
			t.Errorf("SoftMax of rows [100 0 0] and [-120 -121 -122] has no NaN now: %v", s.Value())
		}
	})

	t.Run("a second Grad on one graph", func(t *testing.T) {
		g := G.NewGraph()
		x := vec(g, "x", 1, 2, 3)
		sq := G.Must(G.Square(x))
		if _, err := G.Grad(G.Must(G.Sum(sq)), x); err != nil {
			t.Fatal(err)
		}
		three := G.NewConstant(3.0, G.WithName("three"))
		g2, err := G.Grad(G.Must(G.Sum(G.Must(G.Mul(sq, three)))), x)
		if err != nil {
			t.Fatal(err)
		}
		run(g)
		got := g2[0].Value().Data().([]float64)
		if got[0] == 6 && got[1] == 12 && got[2] == 18 {
			t.Errorf("a second Grad gives d(sum 3x²)/dx = %v, right now (was [2 4 6])", got)
		}
	})
}
