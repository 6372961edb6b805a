//go:build !purego

#include "textflag.h"

// Eight copies of a float32 bit pattern, for use as a ymm memory operand.
#define SPLAT(name, bits) \
	DATA name+0(SB)/4, bits; DATA name+4(SB)/4, bits; DATA name+8(SB)/4, bits; DATA name+12(SB)/4, bits; \
	DATA name+16(SB)/4, bits; DATA name+20(SB)/4, bits; DATA name+24(SB)/4, bits; DATA name+28(SB)/4, bits; \
	GLOBL name(SB), RODATA|NOPTR, $32

SPLAT(expLoV<>, $0xc2aeac4f)    // -87.33654: below, e^x < 2^-126 is flushed to 0
SPLAT(expHiV<>, $0x42b17217)    // 88.72283: above, e^x overflows to +Inf
SPLAT(expLog2eV<>, $0x3fb8aa3b) // log2(e)
SPLAT(expC1V<>, $0x3f318000)    // ln2 high part, 0.693359375 (exact in a few bits)
SPLAT(expC2V<>, $0xb95e8083)    // ln2 - C1 = -2.12194440e-4
SPLAT(expOneV<>, $0x3f800000)   // 1
SPLAT(expInfV<>, $0x7f800000)   // +Inf
SPLAT(expP0<>, $0x39506967)     // Cephes expf polynomial, 1.9875691500e-4
SPLAT(expP1<>, $0x3ab743ce)     // 1.3981999507e-3
SPLAT(expP2<>, $0x3c088908)     // 8.3334519073e-3
SPLAT(expP3<>, $0x3d2aa9c1)     // 4.1665795894e-2
SPLAT(expP4<>, $0x3e2aaaaa)     // 1.6666665459e-1
SPLAT(expP5<>, $0x3f000000)     // 5.0000001201e-1

// EXP_CONSTS loads the constants EXP_CORE keeps in registers Y9..Y15.
#define EXP_CONSTS \
	VMOVUPS expLoV<>(SB), Y15;    \
	VMOVUPS expHiV<>(SB), Y14;    \
	VMOVUPS expLog2eV<>(SB), Y13; \
	VMOVUPS expC1V<>(SB), Y12;    \
	VMOVUPS expC2V<>(SB), Y11;    \
	VMOVUPS expOneV<>(SB), Y10;   \
	VMOVUPS expInfV<>(SB), Y9

// EXP_CORE sets Y2 = e^Y0 for Y0 in [expLo, expHi] (NaN stays NaN); outside
// that range the result is finite garbage that EXP_FIX replaces. Uses Y1, Y3,
// Y4, Y5.
//
// n = round(x·log2e), r = x - n·C1 - n·C2 (|r| <= ln2/2, C1+C2 = ln2 with C1
// short so n·C1 is exact), e^r = 1 + r + r²·P(r), and the scaling by 2^n adds
// n to the exponent field. The clamp keeps n in [-126, 128]; with the clamp
// bounds chosen as above, 2^n·e^r is always a normal float32, and n = 128 only
// occurs with e^r < 1, so the exponent field never overflows.
#define EXP_CORE \
	VMAXPS       Y0, Y15, Y1;            \ // max(lo, x), NaN x passes through
	VMINPS       Y1, Y14, Y1;            \
	VMULPS       Y13, Y1, Y3;            \
	VROUNDPS     $0, Y3, Y3;             \
	VCVTPS2DQ    Y3, Y4;                 \
	VFNMADD231PS Y12, Y3, Y1;            \
	VFNMADD231PS Y11, Y3, Y1;            \
	VMOVUPS      expP0<>(SB), Y2;        \
	VFMADD213PS  expP1<>(SB), Y1, Y2;    \
	VFMADD213PS  expP2<>(SB), Y1, Y2;    \
	VFMADD213PS  expP3<>(SB), Y1, Y2;    \
	VFMADD213PS  expP4<>(SB), Y1, Y2;    \
	VFMADD213PS  expP5<>(SB), Y1, Y2;    \
	VMULPS       Y1, Y1, Y5;             \
	VFMADD213PS  Y1, Y5, Y2;             \
	VADDPS       Y10, Y2, Y2;            \
	VPSLLD       $23, Y4, Y4;            \
	VPADDD       Y4, Y2, Y2

// EXP_UNDER zeroes lanes of Y2 where Y0 < lo (NaN lanes are kept). Uses Y5.
#define EXP_UNDER \
	VCMPPS $5, Y15, Y0, Y5; \ // !(x < lo)
	VANDPS Y5, Y2, Y2

// EXP_OVER sets lanes of Y2 to +Inf where Y0 > hi. Uses Y5.
#define EXP_OVER \
	VCMPPS    $0x1e, Y14, Y0, Y5; \ // x > hi, false for NaN
	VBLENDVPS Y5, Y9, Y2, Y2

// func Exp(dst, src *float32, n int)
TEXT ·Exp(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	EXP_CONSTS
	SHRQ $3, CX
	JZ   done

loop:
	VMOVUPS (SI), Y0
	EXP_CORE
	EXP_OVER
	EXP_UNDER
	VMOVUPS Y2, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET

// HSUM_Y0 leaves the sum of the eight lanes of Y0 in the low lane of X0.
// Uses X1.
#define HSUM_Y0 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS       X1, X0, X0; \
	VPERMILPS    $0x4e, X0, X1; \
	VADDPS       X1, X0, X0; \
	VPERMILPS    $0xb1, X0, X1; \
	VADDPS       X1, X0, X0

// func ExpSub(x *float32, n int, m float32) float32
TEXT ·ExpSub(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS m+16(FP), Y8
	EXP_CONSTS
	VXORPS       Y7, Y7, Y7
	SHRQ         $3, CX
	JZ           expsubdone

expsubloop:
	VMOVUPS (SI), Y0
	VSUBPS  Y8, Y0, Y0
	EXP_CORE
	EXP_UNDER
	VMOVUPS Y2, (SI)
	VADDPS  Y2, Y7, Y7
	ADDQ    $32, SI
	DECQ    CX
	JNZ     expsubloop

expsubdone:
	VMOVAPS Y7, Y0
	HSUM_Y0
	MOVSS   X0, ret+24(FP)
	VZEROUPPER
	RET

// func Max(x *float32, n int) float32
TEXT ·Max(SB), NOSPLIT, $0-20
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Y0
	VMOVAPS Y0, Y1
	ADDQ    $32, SI
	SUBQ    $8, CX

max16:
	CMPQ   CX, $16
	JL     max8
	VMAXPS (SI), Y0, Y0
	VMAXPS 32(SI), Y1, Y1
	ADDQ   $64, SI
	SUBQ   $16, CX
	JMP    max16

max8:
	TESTQ  CX, CX
	JZ     maxdone
	VMAXPS (SI), Y0, Y0

maxdone:
	VMAXPS       Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X1, X0, X0
	MOVSS        X0, ret+16(FP)
	VZEROUPPER
	RET

// func Scal(x *float32, n int, a float32)
TEXT ·Scal(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS a+16(FP), Y8
	SHRQ         $3, CX
	JZ           scaldone

scalloop:
	VMULPS  (SI), Y8, Y0
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	DECQ    CX
	JNZ     scalloop

scaldone:
	VZEROUPPER
	RET

// func Add(x, b *float32, n int)
TEXT ·Add(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   adddone

addloop:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     addloop

adddone:
	VZEROUPPER
	RET

// func Dot(a, b *float32, n int) float32
TEXT ·Dot(SB), NOSPLIT, $0-28
	MOVQ   a+0(FP), SI
	MOVQ   b+8(FP), DI
	MOVQ   n+16(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

dot32:
	CMPQ        CX, $32
	JL          dot8
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         dot32

dot8:
	CMPQ        CX, $8
	JL          dotdone
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         dot8

dotdone:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	HSUM_Y0
	MOVSS  X0, ret+24(FP)
	VZEROUPPER
	RET

// func DSub(ds, p, dp *float32, n int, d float32)
TEXT ·DSub(SB), NOSPLIT, $0-36
	MOVQ         ds+0(FP), DI
	MOVQ         p+8(FP), SI
	MOVQ         dp+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS d+32(FP), Y8
	SHRQ         $3, CX
	JZ           dsubdone

dsubloop:
	VMOVUPS (DX), Y0
	VSUBPS  Y8, Y0, Y0
	VMULPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     dsubloop

dsubdone:
	VZEROUPPER
	RET

