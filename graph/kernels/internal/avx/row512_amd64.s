//go:build !purego

#include "textflag.h"

// AVX-512 versions of the row loops in avx_amd64.s, sixteen lanes at a time;
// n is a multiple of 16. The exp uses the same reduction and polynomial as
// EXP_CORE and scales by 2^n with VSCALEFPS.

// Scalar constants of the exp, as in avx_amd64.s (static symbols are per file).
DATA exp512Lo<>+0(SB)/4, $0xc2aeac4f
GLOBL exp512Lo<>(SB), RODATA|NOPTR, $4
DATA exp512Log2e<>+0(SB)/4, $0x3fb8aa3b
GLOBL exp512Log2e<>(SB), RODATA|NOPTR, $4
DATA exp512C1<>+0(SB)/4, $0x3f318000
GLOBL exp512C1<>(SB), RODATA|NOPTR, $4
DATA exp512C2<>+0(SB)/4, $0xb95e8083
GLOBL exp512C2<>(SB), RODATA|NOPTR, $4
DATA exp512P0<>+0(SB)/4, $0x39506967
GLOBL exp512P0<>(SB), RODATA|NOPTR, $4
DATA exp512P1<>+0(SB)/4, $0x3ab743ce
GLOBL exp512P1<>(SB), RODATA|NOPTR, $4
DATA exp512P2<>+0(SB)/4, $0x3c088908
GLOBL exp512P2<>(SB), RODATA|NOPTR, $4
DATA exp512P3<>+0(SB)/4, $0x3d2aa9c1
GLOBL exp512P3<>(SB), RODATA|NOPTR, $4
DATA exp512P4<>+0(SB)/4, $0x3e2aaaaa
GLOBL exp512P4<>(SB), RODATA|NOPTR, $4
DATA exp512P5<>+0(SB)/4, $0x3f000000
GLOBL exp512P5<>(SB), RODATA|NOPTR, $4
DATA exp512One<>+0(SB)/4, $0x3f800000
GLOBL exp512One<>(SB), RODATA|NOPTR, $4

// HSUM_Z0 leaves the sum of the sixteen lanes of Z0 in the low lane of X0.
#define HSUM_Z0 \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS        Y1, Y0, Y0; \
	VEXTRACTF128  $1, Y0, X1; \
	VADDPS        X1, X0, X0; \
	VPERMILPS     $0x4e, X0, X1; \
	VADDPS        X1, X0, X0; \
	VPERMILPS     $0xb1, X0, X1; \
	VADDPS        X1, X0, X0

// func ExpSub512(x *float32, n int, m float32) float32
TEXT ·ExpSub512(SB), NOSPLIT, $0-28
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS m+16(FP), Z8
	VBROADCASTSS exp512Lo<>(SB), Z16
	VBROADCASTSS exp512Log2e<>(SB), Z17
	VBROADCASTSS exp512C1<>(SB), Z18
	VBROADCASTSS exp512C2<>(SB), Z19
	VBROADCASTSS exp512P0<>(SB), Z20
	VBROADCASTSS exp512P1<>(SB), Z21
	VBROADCASTSS exp512P2<>(SB), Z22
	VBROADCASTSS exp512P3<>(SB), Z23
	VBROADCASTSS exp512P4<>(SB), Z24
	VBROADCASTSS exp512P5<>(SB), Z25
	VBROADCASTSS exp512One<>(SB), Z26
	VPXORD       Z7, Z7, Z7
	VPXORD       Z6, Z6, Z6
	SHRQ         $4, CX

loop2:
	CMPQ CX, $2
	JL   loop
	VMOVUPS      0(SI), Z0
	VSUBPS       Z8, Z0, Z0
	VMAXPS       Z0, Z16, Z1
	VMULPS       Z17, Z1, Z3
	VRNDSCALEPS  $0, Z3, Z3
	VFNMADD231PS Z18, Z3, Z1
	VFNMADD231PS Z19, Z3, Z1
	VMOVAPS      Z20, Z2
	VFMADD213PS  Z21, Z1, Z2
	VFMADD213PS  Z22, Z1, Z2
	VFMADD213PS  Z23, Z1, Z2
	VFMADD213PS  Z24, Z1, Z2
	VFMADD213PS  Z25, Z1, Z2
	VMULPS       Z1, Z1, Z5
	VFMADD213PS  Z1, Z5, Z2
	VADDPS       Z26, Z2, Z2
	VSCALEFPS    Z3, Z2, Z2
	VCMPPS       $5, Z16, Z0, K1
	VMOVAPS.Z    Z2, K1, Z2
	VMOVUPS      Z2, 0(SI)
	VADDPS       Z2, Z7, Z7
	VMOVUPS      64(SI), Z9
	VSUBPS       Z8, Z9, Z9
	VMAXPS       Z9, Z16, Z10
	VMULPS       Z17, Z10, Z11
	VRNDSCALEPS  $0, Z11, Z11
	VFNMADD231PS Z18, Z11, Z10
	VFNMADD231PS Z19, Z11, Z10
	VMOVAPS      Z20, Z12
	VFMADD213PS  Z21, Z10, Z12
	VFMADD213PS  Z22, Z10, Z12
	VFMADD213PS  Z23, Z10, Z12
	VFMADD213PS  Z24, Z10, Z12
	VFMADD213PS  Z25, Z10, Z12
	VMULPS       Z10, Z10, Z13
	VFMADD213PS  Z10, Z13, Z12
	VADDPS       Z26, Z12, Z12
	VSCALEFPS    Z11, Z12, Z12
	VCMPPS       $5, Z16, Z9, K2
	VMOVAPS.Z    Z12, K2, Z12
	VMOVUPS      Z12, 64(SI)
	VADDPS       Z12, Z6, Z6
	ADDQ         $128, SI
	SUBQ         $2, CX
	JMP          loop2

loop:
	TESTQ CX, CX
	JZ    done
	VMOVUPS      0(SI), Z0
	VSUBPS       Z8, Z0, Z0
	VMAXPS       Z0, Z16, Z1
	VMULPS       Z17, Z1, Z3
	VRNDSCALEPS  $0, Z3, Z3
	VFNMADD231PS Z18, Z3, Z1
	VFNMADD231PS Z19, Z3, Z1
	VMOVAPS      Z20, Z2
	VFMADD213PS  Z21, Z1, Z2
	VFMADD213PS  Z22, Z1, Z2
	VFMADD213PS  Z23, Z1, Z2
	VFMADD213PS  Z24, Z1, Z2
	VFMADD213PS  Z25, Z1, Z2
	VMULPS       Z1, Z1, Z5
	VFMADD213PS  Z1, Z5, Z2
	VADDPS       Z26, Z2, Z2
	VSCALEFPS    Z3, Z2, Z2
	VCMPPS       $5, Z16, Z0, K1
	VMOVAPS.Z    Z2, K1, Z2
	VMOVUPS      Z2, 0(SI)
	VADDPS       Z2, Z7, Z7

done:
	VADDPS  Z6, Z7, Z7
	VMOVAPS Z7, Z0
	HSUM_Z0
	MOVSS   X0, ret+24(FP)
	VZEROUPPER
	RET

// func Max512(x *float32, n int) float32
TEXT ·Max512(SB), NOSPLIT, $0-20
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Z0
	VMOVAPS Z0, Z1
	ADDQ    $64, SI
	SUBQ    $16, CX

max32:
	CMPQ   CX, $32
	JL     max16
	VMAXPS (SI), Z0, Z0
	VMAXPS 64(SI), Z1, Z1
	ADDQ   $128, SI
	SUBQ   $32, CX
	JMP    max32

max16:
	TESTQ  CX, CX
	JZ     maxdone
	VMAXPS (SI), Z0, Z0

maxdone:
	VMAXPS        Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	MOVSS         X0, ret+16(FP)
	VZEROUPPER
	RET

// func Scal512(x *float32, n int, a float32)
TEXT ·Scal512(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSS a+16(FP), Z8
	SHRQ         $4, CX
	JZ           scaldone

scalloop:
	VMULPS  (SI), Z8, Z0
	VMOVUPS Z0, (SI)
	ADDQ    $64, SI
	DECQ    CX
	JNZ     scalloop

scaldone:
	VZEROUPPER
	RET

// func Add512(x, b *float32, n int)
TEXT ·Add512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ b+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $4, CX
	JZ   adddone

addloop:
	VMOVUPS (DI), Z0
	VADDPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     addloop

adddone:
	VZEROUPPER
	RET

// func DSub512(ds, p, dp *float32, n int, d float32)
TEXT ·DSub512(SB), NOSPLIT, $0-36
	MOVQ         ds+0(FP), DI
	MOVQ         p+8(FP), SI
	MOVQ         dp+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS d+32(FP), Z8
	SHRQ         $4, CX
	JZ           dsubdone

dsubloop:
	VMOVUPS (DX), Z0
	VSUBPS  Z8, Z0, Z0
	VMULPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     dsubloop

dsubdone:
	VZEROUPPER
	RET
