//go:build !purego

#include "textflag.h"

// Lane indices 0, 2, …, 14: the even lanes of a zmm into the low ymm.
DATA pairIdx<>+0(SB)/4, $0
DATA pairIdx<>+4(SB)/4, $2
DATA pairIdx<>+8(SB)/4, $4
DATA pairIdx<>+12(SB)/4, $6
DATA pairIdx<>+16(SB)/4, $8
DATA pairIdx<>+20(SB)/4, $10
DATA pairIdx<>+24(SB)/4, $12
DATA pairIdx<>+28(SB)/4, $14
DATA pairIdx<>+32(SB)/4, $0
DATA pairIdx<>+36(SB)/4, $0
DATA pairIdx<>+40(SB)/4, $0
DATA pairIdx<>+44(SB)/4, $0
DATA pairIdx<>+48(SB)/4, $0
DATA pairIdx<>+52(SB)/4, $0
DATA pairIdx<>+56(SB)/4, $0
DATA pairIdx<>+60(SB)/4, $0
GLOBL pairIdx<>(SB), RODATA|NOPTR, $64

// StripPair512 computes an eight-column strip of up to eight rows,
//
//	C[r·ldc+d] (+)= alpha·Σ_{p<2kp} A[r·lda+p]·B[p][d]   r < m <= 8, d < 8,
//
// with B given as interleaved pairs of rows, b2[q·16+2d+e] = B[2q+e][d], so
// that one zmm FMA covers two values of p: it multiplies B's pair row by
// A[r][2q], A[r][2q+1] broadcast as one 64-bit pair. At the end the two
// halves of each pair of lanes are added and the even lanes kept. This fills
// all sixteen lanes where a plain strip of eight columns would use eight.
//
// Registers: SI, DI, R8..R11, R13, CX the eight A rows; R12 the offset 8q;
// BX the pair row of B; DX the pairs left.

// func StripPair512(c *float32, ldc int, a *float32, lda int, b2 *float32, m, kp int, alpha float32, acc bool)
TEXT ·StripPair512(SB), NOSPLIT, $0-61
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), R12
	SHLQ $2, R12
	MOVQ m+40(FP), BX
	MOVQ SI, DI
	MOVQ SI, R8
	MOVQ SI, R9
	MOVQ SI, R10
	MOVQ SI, R11
	MOVQ SI, R13
	MOVQ SI, CX
	CMPQ BX, $2
	JL   rowsdone
	LEAQ (SI)(R12*1), DI
	CMPQ BX, $3
	JL   rowsdone
	LEAQ (DI)(R12*1), R8
	CMPQ BX, $4
	JL   rowsdone
	LEAQ (R8)(R12*1), R9
	CMPQ BX, $5
	JL   rowsdone
	LEAQ (R9)(R12*1), R10
	CMPQ BX, $6
	JL   rowsdone
	LEAQ (R10)(R12*1), R11
	CMPQ BX, $7
	JL   rowsdone
	LEAQ (R11)(R12*1), R13
	CMPQ BX, $8
	JL   rowsdone
	LEAQ (R13)(R12*1), CX

rowsdone:
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	MOVQ  b2+32(FP), BX
	MOVQ  kp+48(FP), DX
	XORQ  R12, R12
	TESTQ DX, DX
	JZ    sum

loop:
	VMOVUPS (BX), Z16
	VBROADCASTSD (SI)(R12*1), Z18
	VFMADD231PS  Z16, Z18, Z0
	VBROADCASTSD (DI)(R12*1), Z19
	VFMADD231PS  Z16, Z19, Z1
	VBROADCASTSD (R8)(R12*1), Z20
	VFMADD231PS  Z16, Z20, Z2
	VBROADCASTSD (R9)(R12*1), Z21
	VFMADD231PS  Z16, Z21, Z3
	VBROADCASTSD (R10)(R12*1), Z22
	VFMADD231PS  Z16, Z22, Z4
	VBROADCASTSD (R11)(R12*1), Z23
	VFMADD231PS  Z16, Z23, Z5
	VBROADCASTSD (R13)(R12*1), Z24
	VFMADD231PS  Z16, Z24, Z6
	VBROADCASTSD (CX)(R12*1), Z25
	VFMADD231PS  Z16, Z25, Z7
	ADDQ $8, R12
	ADDQ $64, BX
	DECQ DX
	JZ   sum
	VMOVUPS (BX), Z17
	VBROADCASTSD (SI)(R12*1), Z18
	VFMADD231PS  Z17, Z18, Z8
	VBROADCASTSD (DI)(R12*1), Z19
	VFMADD231PS  Z17, Z19, Z9
	VBROADCASTSD (R8)(R12*1), Z20
	VFMADD231PS  Z17, Z20, Z10
	VBROADCASTSD (R9)(R12*1), Z21
	VFMADD231PS  Z17, Z21, Z11
	VBROADCASTSD (R10)(R12*1), Z22
	VFMADD231PS  Z17, Z22, Z12
	VBROADCASTSD (R11)(R12*1), Z23
	VFMADD231PS  Z17, Z23, Z13
	VBROADCASTSD (R13)(R12*1), Z24
	VFMADD231PS  Z17, Z24, Z14
	VBROADCASTSD (CX)(R12*1), Z25
	VFMADD231PS  Z17, Z25, Z15
	ADDQ $8, R12
	ADDQ $64, BX
	DECQ DX
	JNZ  loop

sum:
	VMOVUPS pairIdx<>(SB), Z26
	VBROADCASTSS alpha+56(FP), Y27
	VADDPS    Z8, Z0, Z0
	VPERMILPS $0xb1, Z0, Z18
	VADDPS    Z18, Z0, Z0
	VPERMPS   Z0, Z26, Z0
	VMULPS    Y27, Y0, Y0
	VADDPS    Z9, Z1, Z1
	VPERMILPS $0xb1, Z1, Z18
	VADDPS    Z18, Z1, Z1
	VPERMPS   Z1, Z26, Z1
	VMULPS    Y27, Y1, Y1
	VADDPS    Z10, Z2, Z2
	VPERMILPS $0xb1, Z2, Z18
	VADDPS    Z18, Z2, Z2
	VPERMPS   Z2, Z26, Z2
	VMULPS    Y27, Y2, Y2
	VADDPS    Z11, Z3, Z3
	VPERMILPS $0xb1, Z3, Z18
	VADDPS    Z18, Z3, Z3
	VPERMPS   Z3, Z26, Z3
	VMULPS    Y27, Y3, Y3
	VADDPS    Z12, Z4, Z4
	VPERMILPS $0xb1, Z4, Z18
	VADDPS    Z18, Z4, Z4
	VPERMPS   Z4, Z26, Z4
	VMULPS    Y27, Y4, Y4
	VADDPS    Z13, Z5, Z5
	VPERMILPS $0xb1, Z5, Z18
	VADDPS    Z18, Z5, Z5
	VPERMPS   Z5, Z26, Z5
	VMULPS    Y27, Y5, Y5
	VADDPS    Z14, Z6, Z6
	VPERMILPS $0xb1, Z6, Z18
	VADDPS    Z18, Z6, Z6
	VPERMPS   Z6, Z26, Z6
	VMULPS    Y27, Y6, Y6
	VADDPS    Z15, Z7, Z7
	VPERMILPS $0xb1, Z7, Z18
	VADDPS    Z18, Z7, Z7
	VPERMPS   Z7, Z26, Z7
	VMULPS    Y27, Y7, Y7
	MOVQ c+0(FP), R12
	MOVQ ldc+8(FP), BX
	SHLQ $2, BX
	CMPB acc+60(FP), $0
	JEQ  over
	VADDPS  (R12), Y0, Y0
	VMOVUPS Y0, (R12)
	CMPQ m+40(FP), $2
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y1, Y1
	VMOVUPS Y1, (R12)
	CMPQ m+40(FP), $3
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y2, Y2
	VMOVUPS Y2, (R12)
	CMPQ m+40(FP), $4
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y3, Y3
	VMOVUPS Y3, (R12)
	CMPQ m+40(FP), $5
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y4, Y4
	VMOVUPS Y4, (R12)
	CMPQ m+40(FP), $6
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y5, Y5
	VMOVUPS Y5, (R12)
	CMPQ m+40(FP), $7
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y6, Y6
	VMOVUPS Y6, (R12)
	CMPQ m+40(FP), $8
	JL   done
	ADDQ BX, R12
	VADDPS  (R12), Y7, Y7
	VMOVUPS Y7, (R12)
	JMP done
over:
	VMOVUPS Y0, (R12)
	CMPQ m+40(FP), $2
	JL   done
	ADDQ BX, R12
	VMOVUPS Y1, (R12)
	CMPQ m+40(FP), $3
	JL   done
	ADDQ BX, R12
	VMOVUPS Y2, (R12)
	CMPQ m+40(FP), $4
	JL   done
	ADDQ BX, R12
	VMOVUPS Y3, (R12)
	CMPQ m+40(FP), $5
	JL   done
	ADDQ BX, R12
	VMOVUPS Y4, (R12)
	CMPQ m+40(FP), $6
	JL   done
	ADDQ BX, R12
	VMOVUPS Y5, (R12)
	CMPQ m+40(FP), $7
	JL   done
	ADDQ BX, R12
	VMOVUPS Y6, (R12)
	CMPQ m+40(FP), $8
	JL   done
	ADDQ BX, R12
	VMOVUPS Y7, (R12)
	JMP done

done:
	VZEROUPPER
	RET
