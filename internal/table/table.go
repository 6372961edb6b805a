// Package table gives the commands and the training log one kind of text
// table:
//
//	t := table.New(os.Stdout)
//	t.Header("segments", "accuracy")
//	t.Append("4", "1.000")
//	t.Render()
package table

import (
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// New is a tablewriter table that prints headers as written: tablewriter's
// default upper-cases them and splits "FLOPs" into "FLO PS".
func New(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
}
