//go:build !purego

#include "textflag.h"

// func Transpose(dst *float32, ldd int, src *float32, lds, rows, cols int)
//
// Each 8×8 block: load eight rows, interleave pairs (unpck), gather four-row
// columns (shufps), then join the 128-bit halves (vperm2f128).
TEXT ·Transpose(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ ldd+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ lds+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), R10
	SHRQ $3, R10
	JZ   trdone

trrows:
	MOVQ cols+40(FP), R11
	SHRQ $3, R11
	JZ   trdone
	MOVQ SI, AX // src block
	MOVQ DI, BX // dst block

trcols:
	MOVQ    AX, CX
	VMOVUPS (CX), Y0
	ADDQ    R9, CX
	VMOVUPS (CX), Y1
	ADDQ    R9, CX
	VMOVUPS (CX), Y2
	ADDQ    R9, CX
	VMOVUPS (CX), Y3
	ADDQ    R9, CX
	VMOVUPS (CX), Y4
	ADDQ    R9, CX
	VMOVUPS (CX), Y5
	ADDQ    R9, CX
	VMOVUPS (CX), Y6
	ADDQ    R9, CX
	VMOVUPS (CX), Y7

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xee, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xee, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xee, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xee, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	MOVQ    BX, CX
	VMOVUPS Y8, (CX)
	ADDQ    R8, CX
	VMOVUPS Y9, (CX)
	ADDQ    R8, CX
	VMOVUPS Y10, (CX)
	ADDQ    R8, CX
	VMOVUPS Y11, (CX)
	ADDQ    R8, CX
	VMOVUPS Y12, (CX)
	ADDQ    R8, CX
	VMOVUPS Y13, (CX)
	ADDQ    R8, CX
	VMOVUPS Y14, (CX)
	ADDQ    R8, CX
	VMOVUPS Y15, (CX)

	ADDQ $32, AX
	LEAQ (BX)(R8*8), BX
	DECQ R11
	JNZ  trcols

	LEAQ (SI)(R9*8), SI
	ADDQ $32, DI
	DECQ R10
	JNZ  trrows

trdone:
	VZEROUPPER
	RET
