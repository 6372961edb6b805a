package main

import (
	"fmt"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// strip512 writes Strip512.
func strip512(g *build.Context) {
	text(g, "Strip512",
		"func(c *float32, ldc int, a *float32, rsA, csA int, b *float32, ldb, m, n, k int, alpha float32, acc bool)",
		"Strip512 is Strip for AVX-512 (F and VL), eight rows at a time:",
		"",
		"	C[r·ldc+j] (+)= alpha·Σ_{p<k} A[r·rsA+p·csA]·B[p·ldb+j]   r < m <= 8, j < n",
		"",
		"n is a multiple of 8. Columns go in chunks of 32 (two zmm accumulators per",
		"row), then 16 (one zmm per row, two accumulator sets over even and odd p)",
		"and 8 (the same with ymm), so that every chunk keeps sixteen FMA chains in",
		"flight. Rows r >= m read row 0 and are not stored.",
		"",
		"Registers: SI, DI, R8..R11, R13, CX the eight A rows; R12 the offset",
		"p·csA; AX csA and DX ldb in bytes; BX the B row. Locals keep the column",
		"chunk's B and C addresses, the columns left and the end of the B chunk.",
	)
	// The locals from the bottom of the frame up: bend, nleft, cchunk, bchunk.
	s := &strip{g: g}
	s.bend, s.nleft, s.cchunk, s.bchunk = g.AllocLocal(8), g.AllocLocal(8), g.AllocLocal(8), g.AllocLocal(8)

	g.MOVQ(arg(g, "a"), reg.RSI)
	g.MOVQ(arg(g, "rsA"), reg.R12)
	g.SHLQ(operand.Imm(2), reg.R12)
	g.MOVQ(arg(g, "m"), reg.RBX)
	rowPointers(g)
	g.MOVQ(arg(g, "csA"), reg.RAX)
	g.SHLQ(operand.Imm(2), reg.RAX)
	g.MOVQ(arg(g, "ldb"), reg.RDX)
	g.SHLQ(operand.Imm(2), reg.RDX)
	g.MOVQ(arg(g, "b"), reg.RBX)
	g.MOVQ(reg.RBX, s.bchunk)
	g.MOVQ(arg(g, "c"), reg.RBX)
	g.MOVQ(reg.RBX, s.cchunk)
	g.MOVQ(arg(g, "n"), reg.RBX)
	g.MOVQ(reg.RBX, s.nleft)

	// 32 columns: two zmm accumulators per row, Z0..Z15.
	acc32 := make([][]reg.Physical, len(aRows))
	for i := range acc32 {
		acc32[i] = []reg.Physical{z(2 * i), z(2*i + 1)}
	}
	g.Label("chunk32")
	g.CMPQ(s.nleft, operand.Imm(32))
	g.JL(l("chunk16"))
	zero(g, z, 16)
	s.setup("store32")
	g.Label("loop32")
	g.VMOVUPS(at(reg.RBX, 0), z(16))
	g.VMOVUPS(at(reg.RBX, 64), z(17))
	s.step([]reg.Physical{z(16), z(17)}, acc32, z)
	g.CMPQ(reg.RBX, s.bend)
	g.JNE(l("loop32"))
	g.Label("store32")
	s.stores(acc32, z, 64, "next32", "st32")
	g.Label("next32")
	g.ADDQ(operand.Imm(128), s.bchunk)
	g.ADDQ(operand.Imm(128), s.cchunk)
	g.SUBQ(operand.Imm(32), s.nleft)
	g.JMP(l("chunk32"))

	s.twoSets("chunk16", z, 64, "chunk8", "next16")
	g.Label("next16")
	g.ADDQ(operand.Imm(64), s.bchunk)
	g.ADDQ(operand.Imm(64), s.cchunk)
	g.SUBQ(operand.Imm(16), s.nleft)

	s.twoSets("chunk8", y, 32, "stripdone", "stripdone")
	g.Label("stripdone")
	g.VZEROUPPER()
	g.RET()
}

// strip holds Strip512's locals.
type strip struct {
	g                           *build.Context
	bchunk, cchunk, nleft, bend operand.Mem
}

// zero clears registers v(0) .. v(n-1).
func zero(g *build.Context, v func(int) reg.Physical, n int) {
	for i := range n {
		g.VPXORD(v(i), v(i), v(i))
	}
}

// setup points BX at the chunk's B, sets bend to its end (k rows on) and
// R12 to 0, and jumps to empty when k is 0.
func (s *strip) setup(empty string) {
	g := s.g
	g.MOVQ(s.bchunk, reg.RBX)
	g.MOVQ(arg(g, "k"), reg.R12)
	g.IMULQ(reg.RDX, reg.R12)
	g.ADDQ(reg.RBX, reg.R12)
	g.MOVQ(reg.R12, s.bend)
	g.XORQ(reg.R12, reg.R12)
	g.CMPQ(reg.RBX, s.bend)
	g.JEQ(l(empty))
}

// step is one p: it broadcasts each row's A[r][p] into v(18+r) and adds its
// product with B's registers b into the row's accumulators accs[r], then
// moves to the next p.
func (s *strip) step(b []reg.Physical, accs [][]reg.Physical, v func(int) reg.Physical) {
	g := s.g
	for i, r := range aRows {
		bc := v(18 + i)
		g.VBROADCASTSS(atIdx(r, reg.R12), bc)
		for j, acc := range accs[i] {
			g.VFMADD231PS(b[j], bc, acc)
		}
	}
	g.ADDQ(reg.RAX, reg.R12)
	g.ADDQ(reg.RDX, reg.RBX)
}

// stores scales the accumulators by alpha and adds them to C's rows r < m
// (acc set) or writes them, width bytes per register, then jumps to next.
func (s *strip) stores(accs [][]reg.Physical, v func(int) reg.Physical, width int, next, tag string) {
	g := s.g
	g.VBROADCASTSS(arg(g, "alpha"), v(31))
	for _, row := range accs {
		for _, acc := range row {
			g.VMULPS(v(31), acc, acc)
		}
	}
	g.MOVQ(s.cchunk, reg.R12)
	g.MOVQ(arg(g, "ldc"), reg.RBX)
	g.SHLQ(operand.Imm(2), reg.RBX)
	g.CMPB(arg(g, "acc"), operand.Imm(0))
	g.JEQ(l(tag + "_over"))
	for _, add := range []bool{true, false} {
		if !add {
			g.Label(tag + "_over")
		}
		for i := range accs {
			if i > 0 {
				g.CMPQ(arg(g, "m"), operand.Imm(uint64(i+1)))
				g.JL(l(next))
				g.ADDQ(reg.RBX, reg.R12)
			}
			for j, acc := range accs[i] {
				dst := at(reg.R12, j*width)
				if add {
					g.VADDPS(dst, acc, acc)
				}
				g.VMOVUPS(acc, dst)
			}
		}
		g.JMP(l(next))
	}
}

// twoSets writes the chunk of width/4 columns called name: one register per
// row, in two accumulator sets v(0..7) and v(8..15) over even and odd p,
// summed before the store. With fewer columns left it jumps to smaller.
func (s *strip) twoSets(name string, v func(int) reg.Physical, width int, smaller, next string) {
	g := s.g
	even := make([][]reg.Physical, len(aRows))
	odd := make([][]reg.Physical, len(aRows))
	for i := range aRows {
		even[i] = []reg.Physical{v(i)}
		odd[i] = []reg.Physical{v(8 + i)}
	}
	loop, sum := "loop"+name, "sum"+name
	g.Label(name)
	g.CMPQ(s.nleft, operand.Imm(uint64(width/4)))
	g.JL(l(smaller))
	zero(g, v, 16)
	s.setup(sum)
	g.Label(loop)
	g.VMOVUPS(at(reg.RBX, 0), v(16))
	s.step([]reg.Physical{v(16)}, even, v)
	g.CMPQ(reg.RBX, s.bend)
	g.JEQ(l(sum))
	g.VMOVUPS(at(reg.RBX, 0), v(17))
	s.step([]reg.Physical{v(17)}, odd, v)
	g.CMPQ(reg.RBX, s.bend)
	g.JNE(l(loop))
	g.Label(sum)
	for i := range aRows {
		g.VADDPS(v(8+i), v(i), v(i))
	}
	s.stores(even, v, width, next, fmt.Sprintf("st%s", name))
}
