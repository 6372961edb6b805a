package main

import (
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// row512 writes the AVX-512 versions of the row loops of avx_amd64.s,
// sixteen lanes at a time (n a multiple of 16).
func row512(g *build.Context) {
	expSub512(g)
	max512(g)
	scal512(g)
	add512(g)
	dSub512(g)
}

// The scalar constants of the exp, as in avx_amd64.s (static symbols are
// per file): the input floor, log2(e), ln 2 split in two parts, the
// polynomial coefficients and 1.
var expConsts = []struct {
	name string
	bits uint32
}{
	{"exp512Lo", 0xc2aeac4f},
	{"exp512Log2e", 0x3fb8aa3b},
	{"exp512C1", 0x3f318000},
	{"exp512C2", 0xb95e8083},
	{"exp512P0", 0x39506967},
	{"exp512P1", 0x3ab743ce},
	{"exp512P2", 0x3c088908},
	{"exp512P3", 0x3d2aa9c1},
	{"exp512P4", 0x3e2aaaaa},
	{"exp512P5", 0x3f000000},
	{"exp512One", 0x3f800000},
}

// expRegs names the registers of one sixteen-lane exp: the input x, the
// reduced argument t, the power of two n, the polynomial p, t² in sq, the
// mask k of inputs above the floor, and the running sum.
type expRegs struct {
	x, t, n, p, sq, sum reg.Physical
	k                   reg.Physical
}

// expSub512 writes ExpSub512. Z8 holds m, Z16..Z26 the constants in the
// order of expConsts; two sums, Z7 and Z6, take alternate blocks of sixteen.
func expSub512(g *build.Context) {
	consts := make([]operand.Mem, len(expConsts))
	for i, c := range expConsts {
		consts[i] = constF32(g, c.name, c.bits)
	}
	text(g, "ExpSub512", "func(x *float32, n int, m float32) float32",
		"ExpSub512 sets x[i] = e^(x[i]-m) with the reduction and polynomial of",
		"EXP_CORE in avx_amd64.s, scaling by 2^n with VSCALEFPS, and returns",
		"their sum.")
	g.MOVQ(arg(g, "x"), reg.RSI)
	g.MOVQ(arg(g, "n"), reg.RCX)
	g.VBROADCASTSS(arg(g, "m"), z(8))
	for i, c := range consts {
		g.VBROADCASTSS(c, z(16+i))
	}
	g.VPXORD(z(7), z(7), z(7))
	g.VPXORD(z(6), z(6), z(6))
	g.SHRQ(operand.Imm(4), reg.RCX)

	a := expRegs{x: z(0), t: z(1), n: z(3), p: z(2), sq: z(5), k: reg.K1, sum: z(7)}
	b := expRegs{x: z(9), t: z(10), n: z(11), p: z(12), sq: z(13), k: reg.K2, sum: z(6)}
	g.Label("loop2")
	g.CMPQ(reg.RCX, operand.Imm(2))
	g.JL(l("loop"))
	expBlock(g, a, 0)
	expBlock(g, b, 64)
	g.ADDQ(operand.Imm(128), reg.RSI)
	g.SUBQ(operand.Imm(2), reg.RCX)
	g.JMP(l("loop2"))

	g.Label("loop")
	g.TESTQ(reg.RCX, reg.RCX)
	g.JZ(l("done"))
	expBlock(g, a, 0)

	g.Label("done")
	g.VADDPS(z(6), z(7), z(7))
	g.VMOVAPS(z(7), z(0))
	// The sum of Z0's sixteen lanes into the low lane of X0.
	g.VEXTRACTF64X4(operand.U8(1), z(0), y(1))
	g.VADDPS(y(1), y(0), y(0))
	g.VEXTRACTF128(operand.U8(1), y(0), x(1))
	g.VADDPS(x(1), x(0), x(0))
	g.VPERMILPS(operand.U8(0x4e), x(0), x(1))
	g.VADDPS(x(1), x(0), x(0))
	g.VPERMILPS(operand.U8(0xb1), x(0), x(1))
	g.VADDPS(x(1), x(0), x(0))
	g.MOVSS(x(0), ret(g))
	g.VZEROUPPER()
	g.RET()
}

// expBlock replaces the sixteen floats at off(SI) by e^(x-m) and adds them
// to r.sum: x = r0 + n·ln 2 with n = round(x·log2 e), e^r0 by a degree-5
// polynomial, times 2^n; inputs below the floor give 0.
func expBlock(g *build.Context, r expRegs, off int) {
	g.VMOVUPS(at(reg.RSI, off), r.x)
	g.VSUBPS(z(8), r.x, r.x)
	g.VMAXPS(r.x, z(16), r.t)
	g.VMULPS(z(17), r.t, r.n)
	g.VRNDSCALEPS(operand.U8(0), r.n, r.n)
	g.VFNMADD231PS(z(18), r.n, r.t)
	g.VFNMADD231PS(z(19), r.n, r.t)
	g.VMOVAPS(z(20), r.p)
	for i := 21; i <= 25; i++ {
		g.VFMADD213PS(z(i), r.t, r.p)
	}
	g.VMULPS(r.t, r.t, r.sq)
	g.VFMADD213PS(r.t, r.sq, r.p)
	g.VADDPS(z(26), r.p, r.p)
	g.VSCALEFPS(r.n, r.p, r.p)
	g.VCMPPS(operand.U8(5), z(16), r.x, r.k)
	g.VMOVAPS_Z(r.p, r.k, r.p)
	g.VMOVUPS(r.p, at(reg.RSI, off))
	g.VADDPS(r.p, r.sum, r.sum)
}

// max512 writes Max512: two running maxima over blocks of 32, one more
// block of 16 if left, then the lanes folded in halves.
func max512(g *build.Context) {
	text(g, "Max512", "func(x *float32, n int) float32", "Max512 returns the largest of x[0:n], n >= 16.")
	g.MOVQ(arg(g, "x"), reg.RSI)
	g.MOVQ(arg(g, "n"), reg.RCX)
	g.VMOVUPS(at(reg.RSI, 0), z(0))
	g.VMOVAPS(z(0), z(1))
	g.ADDQ(operand.Imm(64), reg.RSI)
	g.SUBQ(operand.Imm(16), reg.RCX)

	g.Label("max32")
	g.CMPQ(reg.RCX, operand.Imm(32))
	g.JL(l("max16"))
	g.VMAXPS(at(reg.RSI, 0), z(0), z(0))
	g.VMAXPS(at(reg.RSI, 64), z(1), z(1))
	g.ADDQ(operand.Imm(128), reg.RSI)
	g.SUBQ(operand.Imm(32), reg.RCX)
	g.JMP(l("max32"))

	g.Label("max16")
	g.TESTQ(reg.RCX, reg.RCX)
	g.JZ(l("maxdone"))
	g.VMAXPS(at(reg.RSI, 0), z(0), z(0))

	g.Label("maxdone")
	g.VMAXPS(z(1), z(0), z(0))
	g.VEXTRACTF64X4(operand.U8(1), z(0), y(1))
	g.VMAXPS(y(1), y(0), y(0))
	g.VEXTRACTF128(operand.U8(1), y(0), x(1))
	g.VMAXPS(x(1), x(0), x(0))
	g.VPERMILPS(operand.U8(0x4e), x(0), x(1))
	g.VMAXPS(x(1), x(0), x(0))
	g.VPERMILPS(operand.U8(0xb1), x(0), x(1))
	g.VMAXPS(x(1), x(0), x(0))
	g.MOVSS(x(0), ret(g))
	g.VZEROUPPER()
	g.RET()
}

// scal512 writes Scal512.
func scal512(g *build.Context) {
	text(g, "Scal512", "func(x *float32, n int, a float32)", "Scal512 sets x[i] *= a for i < n.")
	g.MOVQ(arg(g, "x"), reg.RSI)
	g.MOVQ(arg(g, "n"), reg.RCX)
	g.VBROADCASTSS(arg(g, "a"), z(8))
	g.SHRQ(operand.Imm(4), reg.RCX)
	g.JZ(l("scaldone"))
	g.Label("scalloop")
	g.VMULPS(at(reg.RSI, 0), z(8), z(0))
	g.VMOVUPS(z(0), at(reg.RSI, 0))
	g.ADDQ(operand.Imm(64), reg.RSI)
	g.DECQ(reg.RCX)
	g.JNZ(l("scalloop"))
	g.Label("scaldone")
	g.VZEROUPPER()
	g.RET()
}

// add512 writes Add512.
func add512(g *build.Context) {
	text(g, "Add512", "func(x, b *float32, n int)", "Add512 sets x[i] += b[i] for i < n.")
	g.MOVQ(arg(g, "x"), reg.RDI)
	g.MOVQ(arg(g, "b"), reg.RSI)
	g.MOVQ(arg(g, "n"), reg.RCX)
	g.SHRQ(operand.Imm(4), reg.RCX)
	g.JZ(l("adddone"))
	g.Label("addloop")
	g.VMOVUPS(at(reg.RDI, 0), z(0))
	g.VADDPS(at(reg.RSI, 0), z(0), z(0))
	g.VMOVUPS(z(0), at(reg.RDI, 0))
	g.ADDQ(operand.Imm(64), reg.RSI)
	g.ADDQ(operand.Imm(64), reg.RDI)
	g.DECQ(reg.RCX)
	g.JNZ(l("addloop"))
	g.Label("adddone")
	g.VZEROUPPER()
	g.RET()
}

// dSub512 writes DSub512.
func dSub512(g *build.Context) {
	text(g, "DSub512", "func(ds, p, dp *float32, n int, d float32)", "DSub512 sets ds[i] = p[i]·(dp[i]-d) for i < n.")
	g.MOVQ(arg(g, "ds"), reg.RDI)
	g.MOVQ(arg(g, "p"), reg.RSI)
	g.MOVQ(arg(g, "dp"), reg.RDX)
	g.MOVQ(arg(g, "n"), reg.RCX)
	g.VBROADCASTSS(arg(g, "d"), z(8))
	g.SHRQ(operand.Imm(4), reg.RCX)
	g.JZ(l("dsubdone"))
	g.Label("dsubloop")
	g.VMOVUPS(at(reg.RDX, 0), z(0))
	g.VSUBPS(z(8), z(0), z(0))
	g.VMULPS(at(reg.RSI, 0), z(0), z(0))
	g.VMOVUPS(z(0), at(reg.RDI, 0))
	g.ADDQ(operand.Imm(64), reg.RSI)
	g.ADDQ(operand.Imm(64), reg.RDI)
	g.ADDQ(operand.Imm(64), reg.RDX)
	g.DECQ(reg.RCX)
	g.JNZ(l("dsubloop"))
	g.Label("dsubdone")
	g.VZEROUPPER()
	g.RET()
}
