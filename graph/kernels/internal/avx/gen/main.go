// Command gen writes the unrolled AVX-512 assembly of package avx with avo:
// strip512_amd64.s (Strip512), pair512_amd64.s (StripPair512) and
// row512_amd64.s (ExpSub512, Max512, Scal512, Add512, DSub512). Package avx
// runs it through go generate:
//
//	go generate ./graph/kernels/internal/avx
//
// It is a module of its own so that the rmt module neither builds nor
// requires avo: only go generate (and the CI step that checks the committed
// files against a fresh run) needs it. Every register is named, never
// allocated by avo, so the output is the register-tiled loop written here,
// instruction for instruction.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mmcloughlin/avo/attr"
	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
	"github.com/mmcloughlin/avo/reg"
)

func main() {
	dir := flag.String("dir", "..", "directory that receives the .s files")
	flag.Parse()
	files := []struct {
		name  string
		build func(*build.Context)
	}{
		{"strip512_amd64.s", strip512},
		{"pair512_amd64.s", pair512},
		{"row512_amd64.s", row512},
	}
	for _, f := range files {
		if err := write(filepath.Join(*dir, f.name), f.build); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}

// write builds one file with fn and writes it to path.
func write(path string, fn func(*build.Context)) error {
	g := build.NewContext()
	g.ConstraintExpr("!purego")
	fn(g)
	f, err := g.Result()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := pass.Compile.Execute(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	src, err := printer.NewGoAsm(printer.Config{Name: "gen (go generate in graph/kernels/internal/avx)", Pkg: "avx"}).Print(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, src, 0o644)
}

// text starts function name with signature sig (NOSPLIT); doc opens its
// body as a comment.
func text(g *build.Context, name, sig string, doc ...string) {
	g.Function(name)
	g.Attributes(attr.NOSPLIT)
	g.SignatureExpr(sig)
	g.Comment(doc...)
}

// arg is the frame address of the active function's argument name.
func arg(g *build.Context, name string) operand.Mem {
	b, err := g.Param(name).Resolve()
	if err != nil {
		panic(fmt.Sprintf("gen: argument %s: %v", name, err))
	}
	return b.Addr
}

// ret is the frame address of the active function's first result.
func ret(g *build.Context) operand.Mem {
	b, err := g.ReturnIndex(0).Resolve()
	if err != nil {
		panic(fmt.Sprintf("gen: result: %v", err))
	}
	return b.Addr
}

// constF32 declares a read-only 4-byte static symbol holding bits.
func constF32(g *build.Context, name string, bits uint32) operand.Mem {
	m := g.StaticGlobal(name)
	g.DataAttributes(attr.RODATA | attr.NOPTR)
	g.AddDatum(0, operand.U32(bits))
	return m
}

// Vector registers by number: z(i) is Zi, y(i) Yi, x(i) Xi.
func z(i int) reg.Physical { return reg.Vector.Lookup(reg.Index(i), reg.S512) }
func y(i int) reg.Physical { return reg.Vector.Lookup(reg.Index(i), reg.S256) }
func x(i int) reg.Physical { return reg.Vector.Lookup(reg.Index(i), reg.S128) }

// at is the address disp(base).
func at(base reg.Register, disp int) operand.Mem { return operand.Mem{Base: base, Disp: disp} }

// atIdx is the address (base)(index*1).
func atIdx(base, index reg.Register) operand.Mem {
	return operand.Mem{Base: base, Index: index, Scale: 1}
}

// l is a reference to label name.
func l(name string) operand.LabelRef { return operand.LabelRef(name) }

// aRows are the registers that hold the eight A row pointers of Strip512
// and StripPair512.
var aRows = []reg.Register{reg.RSI, reg.RDI, reg.R8, reg.R9, reg.R10, reg.R11, reg.R13, reg.RCX}

// rowPointers sets aRows[r] = a + r·stride for r < m (m in BX, stride in
// bytes in R12); rows r >= m keep row 0's pointer.
func rowPointers(g *build.Context) {
	for _, r := range aRows[1:] {
		g.MOVQ(reg.RSI, r)
	}
	for i := 2; i <= len(aRows); i++ {
		g.CMPQ(reg.RBX, operand.Imm(uint64(i)))
		g.JL(l("rowsdone"))
		g.LEAQ(atIdx(aRows[i-2], reg.R12), aRows[i-1])
	}
	g.Label("rowsdone")
}
