package main

import (
	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// pair512 writes StripPair512.
func pair512(g *build.Context) {
	// Lane indices 0, 2, …, 14: the even lanes of a zmm into the low ymm.
	pairIdx := g.StaticGlobal("pairIdx")
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	for i := range 16 {
		v := uint32(0)
		if i < 8 {
			v = uint32(2 * i)
		}
		g.AddDatum(4*i, operand.U32(v))
	}

	text(g, "StripPair512",
		"func(c *float32, ldc int, a *float32, lda int, b2 *float32, m, kp int, alpha float32, acc bool)",
		"StripPair512 computes an eight-column strip of up to eight rows,",
		"",
		"	C[r·ldc+d] (+)= alpha·Σ_{p<2kp} A[r·lda+p]·B[p][d]   r < m <= 8, d < 8,",
		"",
		"with B given as interleaved pairs of rows, b2[q·16+2d+e] = B[2q+e][d], so",
		"that one zmm FMA covers two values of p: it multiplies B's pair row by",
		"A[r][2q], A[r][2q+1] broadcast as one 64-bit pair. At the end the two",
		"halves of each pair of lanes are added and the even lanes kept (pairIdx",
		"holds the lane indices 0, 2, …, 14). This fills all sixteen lanes where a",
		"plain strip of eight columns would use eight.",
		"",
		"Registers: SI, DI, R8..R11, R13, CX the eight A rows; R12 the offset 8q;",
		"BX the pair row of B; DX the pairs left.",
	)
	g.MOVQ(arg(g, "a"), reg.RSI)
	g.MOVQ(arg(g, "lda"), reg.R12)
	g.SHLQ(operand.Imm(2), reg.R12)
	g.MOVQ(arg(g, "m"), reg.RBX)
	rowPointers(g)
	zero(g, z, 16)
	g.MOVQ(arg(g, "b2"), reg.RBX)
	g.MOVQ(arg(g, "kp"), reg.RDX)
	g.XORQ(reg.R12, reg.R12)
	g.TESTQ(reg.RDX, reg.RDX)
	g.JZ(l("sum"))

	// Two accumulator sets, Z0..Z7 and Z8..Z15, over even and odd q.
	step := func(b reg.Physical, base int) {
		for i, r := range aRows {
			g.VBROADCASTSD(atIdx(r, reg.R12), z(18+i))
			g.VFMADD231PS(b, z(18+i), z(base+i))
		}
		g.ADDQ(operand.Imm(8), reg.R12)
		g.ADDQ(operand.Imm(64), reg.RBX)
		g.DECQ(reg.RDX)
	}
	g.Label("loop")
	g.VMOVUPS(at(reg.RBX, 0), z(16))
	step(z(16), 0)
	g.JZ(l("sum"))
	g.VMOVUPS(at(reg.RBX, 0), z(17))
	step(z(17), 8)
	g.JNZ(l("loop"))

	g.Label("sum")
	g.VMOVUPS(pairIdx, z(26))
	g.VBROADCASTSS(arg(g, "alpha"), y(27))
	for i := range 8 {
		g.VADDPS(z(8+i), z(i), z(i))
		g.VPERMILPS(operand.U8(0xb1), z(i), z(18))
		g.VADDPS(z(18), z(i), z(i))
		g.VPERMPS(z(i), z(26), z(i))
		g.VMULPS(y(27), y(i), y(i))
	}
	g.MOVQ(arg(g, "c"), reg.R12)
	g.MOVQ(arg(g, "ldc"), reg.RBX)
	g.SHLQ(operand.Imm(2), reg.RBX)
	g.CMPB(arg(g, "acc"), operand.Imm(0))
	g.JEQ(l("over"))
	for _, add := range []bool{true, false} {
		if !add {
			g.Label("over")
		}
		for i := range 8 {
			if i > 0 {
				g.CMPQ(arg(g, "m"), operand.Imm(uint64(i+1)))
				g.JL(l("done"))
				g.ADDQ(reg.RBX, reg.R12)
			}
			if add {
				g.VADDPS(at(reg.R12, 0), y(i), y(i))
			}
			g.VMOVUPS(y(i), at(reg.R12, 0))
		}
		g.JMP(l("done"))
	}
	g.Label("done")
	g.VZEROUPPER()
	g.RET()
}
