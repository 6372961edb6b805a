//go:build !purego

#include "textflag.h"

// STORE_ROW scales lo[, hi] by alpha (Y14), adds the C row at R13 (masked
// by Y15) and stores.
#define STORE_ROW16(lo, hi) \
	VMULPS  Y14, lo, lo;     \
	VMULPS  Y14, hi, hi;     \
	VANDPS  (R13), Y15, Y12; \
	VADDPS  Y12, lo, lo;     \
	VANDPS  32(R13), Y15, Y13; \
	VADDPS  Y13, hi, hi;     \
	VMOVUPS lo, (R13);       \
	VMOVUPS hi, 32(R13)

#define STORE_ROW8(lo) \
	VMULPS  Y14, lo, lo;     \
	VANDPS  (R13), Y15, Y12; \
	VADDPS  Y12, lo, lo;     \
	VMOVUPS lo, (R13)

// ACC_MASK sets Y15 to all ones with acc, to zero without, and Y14 to
// alpha.
#define ACC_MASK \
	VBROADCASTSS alpha+80(FP), Y14; \
	VXORPS   Y15, Y15, Y15;  \
	CMPB     acc+84(FP), $0; \
	JEQ      2(PC);          \
	VPCMPEQD Y15, Y15, Y15

// Strip computes one strip of a matrix product for up to six rows:
//
//	C[r·ldc+j] (+)= alpha·Σ_{p<k} A[r·rsA+p·csA]·B[p·ldb+j]   r < m <= 6, j < n
//
// n is a multiple of 8. Columns go in chunks of 16 (twelve accumulators,
// two per row) and a last chunk of 8 (two accumulator sets over even and odd
// p, to keep twelve FMA chains in flight). Each step broadcasts A[r][p] and
// multiplies a row of B. Rows r >= m read row 0 and are not stored, so A is
// never read out of bounds. With acc the strip is added to C, else it
// overwrites C (which is read either way, and masked off).
//
// Registers: SI, DI, R8..R11 the six A rows; R12 the offset p·csA; AX csA
// and DX ldb in bytes; BX the B row; CX the p count. Locals keep the column
// chunk's B and C addresses and the columns left.

// func Strip(c *float32, ldc int, a *float32, rsA, csA int, b *float32, ldb, m, n, k int, alpha float32, acc bool)
TEXT ·Strip(SB), NOSPLIT, $24-85
	MOVQ a+16(FP), SI
	MOVQ rsA+24(FP), R13
	SHLQ $2, R13
	MOVQ m+56(FP), R12
	MOVQ SI, DI
	MOVQ SI, R8
	MOVQ SI, R9
	MOVQ SI, R10
	MOVQ SI, R11
	CMPQ R12, $2
	JL   rowsdone
	LEAQ (SI)(R13*1), DI
	CMPQ R12, $3
	JL   rowsdone
	LEAQ (DI)(R13*1), R8
	CMPQ R12, $4
	JL   rowsdone
	LEAQ (R8)(R13*1), R9
	CMPQ R12, $5
	JL   rowsdone
	LEAQ (R9)(R13*1), R10
	CMPQ R12, $6
	JL   rowsdone
	LEAQ (R10)(R13*1), R11

rowsdone:
	MOVQ csA+32(FP), AX
	SHLQ $2, AX
	MOVQ ldb+48(FP), DX
	SHLQ $2, DX
	MOVQ b+40(FP), BX
	MOVQ BX, bchunk-8(SP)
	MOVQ c+0(FP), BX
	MOVQ BX, cchunk-16(SP)
	MOVQ n+64(FP), BX
	MOVQ BX, nleft-24(SP)

chunk16:
	CMPQ   nleft-24(SP), $16
	JL     chunk8
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ   k+72(FP), CX
	XORQ   R12, R12
	MOVQ   bchunk-8(SP), BX
	TESTQ  CX, CX
	JZ     store16

loop16:
	VMOVUPS      (BX), Y12
	VMOVUPS      32(BX), Y13
	VBROADCASTSS (SI)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y0
	VFMADD231PS  Y13, Y14, Y1
	VBROADCASTSS (DI)(R12*1), Y15
	VFMADD231PS  Y12, Y15, Y2
	VFMADD231PS  Y13, Y15, Y3
	VBROADCASTSS (R8)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y4
	VFMADD231PS  Y13, Y14, Y5
	VBROADCASTSS (R9)(R12*1), Y15
	VFMADD231PS  Y12, Y15, Y6
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS (R10)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y8
	VFMADD231PS  Y13, Y14, Y9
	VBROADCASTSS (R11)(R12*1), Y15
	VFMADD231PS  Y12, Y15, Y10
	VFMADD231PS  Y13, Y15, Y11
	ADDQ         AX, R12
	ADDQ         DX, BX
	DECQ         CX
	JNZ          loop16

store16:
	ACC_MASK
	MOVQ cchunk-16(SP), R13
	MOVQ ldc+8(FP), R12
	SHLQ $2, R12
	MOVQ m+56(FP), CX
	STORE_ROW16(Y0, Y1)
	CMPQ CX, $2
	JL   next16
	ADDQ R12, R13
	STORE_ROW16(Y2, Y3)
	CMPQ CX, $3
	JL   next16
	ADDQ R12, R13
	STORE_ROW16(Y4, Y5)
	CMPQ CX, $4
	JL   next16
	ADDQ R12, R13
	STORE_ROW16(Y6, Y7)
	CMPQ CX, $5
	JL   next16
	ADDQ R12, R13
	STORE_ROW16(Y8, Y9)
	CMPQ CX, $6
	JL   next16
	ADDQ R12, R13
	STORE_ROW16(Y10, Y11)

next16:
	ADDQ $64, bchunk-8(SP)
	ADDQ $64, cchunk-16(SP)
	SUBQ $16, nleft-24(SP)
	JMP  chunk16

chunk8:
	CMPQ   nleft-24(SP), $8
	JL     stripdone
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ   k+72(FP), CX
	XORQ   R12, R12
	MOVQ   bchunk-8(SP), BX
	CMPQ   CX, $2
	JL     tail8

loop8:
	VMOVUPS      (BX), Y12
	VMOVUPS      (BX)(DX*1), Y13
	LEAQ         (R12)(AX*1), R13
	VBROADCASTSS (SI)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y0
	VBROADCASTSS (SI)(R13*1), Y15
	VFMADD231PS  Y13, Y15, Y6
	VBROADCASTSS (DI)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y1
	VBROADCASTSS (DI)(R13*1), Y15
	VFMADD231PS  Y13, Y15, Y7
	VBROADCASTSS (R8)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y2
	VBROADCASTSS (R8)(R13*1), Y15
	VFMADD231PS  Y13, Y15, Y8
	VBROADCASTSS (R9)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y3
	VBROADCASTSS (R9)(R13*1), Y15
	VFMADD231PS  Y13, Y15, Y9
	VBROADCASTSS (R10)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y4
	VBROADCASTSS (R10)(R13*1), Y15
	VFMADD231PS  Y13, Y15, Y10
	VBROADCASTSS (R11)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y5
	VBROADCASTSS (R11)(R13*1), Y15
	VFMADD231PS  Y13, Y15, Y11
	LEAQ         (R12)(AX*2), R12
	LEAQ         (BX)(DX*2), BX
	SUBQ         $2, CX
	CMPQ         CX, $2
	JGE          loop8

tail8:
	TESTQ        CX, CX
	JZ           sum8
	VMOVUPS      (BX), Y12
	VBROADCASTSS (SI)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y0
	VBROADCASTSS (DI)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y1
	VBROADCASTSS (R8)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y2
	VBROADCASTSS (R9)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y3
	VBROADCASTSS (R10)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y4
	VBROADCASTSS (R11)(R12*1), Y14
	VFMADD231PS  Y12, Y14, Y5

sum8:
	VADDPS Y6, Y0, Y0
	VADDPS Y7, Y1, Y1
	VADDPS Y8, Y2, Y2
	VADDPS Y9, Y3, Y3
	VADDPS Y10, Y4, Y4
	VADDPS Y11, Y5, Y5
	ACC_MASK
	MOVQ   cchunk-16(SP), R13
	MOVQ   ldc+8(FP), R12
	SHLQ   $2, R12
	MOVQ   m+56(FP), CX
	STORE_ROW8(Y0)
	CMPQ   CX, $2
	JL     stripdone
	ADDQ   R12, R13
	STORE_ROW8(Y1)
	CMPQ   CX, $3
	JL     stripdone
	ADDQ   R12, R13
	STORE_ROW8(Y2)
	CMPQ   CX, $4
	JL     stripdone
	ADDQ   R12, R13
	STORE_ROW8(Y3)
	CMPQ   CX, $5
	JL     stripdone
	ADDQ   R12, R13
	STORE_ROW8(Y4)
	CMPQ   CX, $6
	JL     stripdone
	ADDQ   R12, R13
	STORE_ROW8(Y5)

stripdone:
	VZEROUPPER
	RET
