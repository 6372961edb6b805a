// Package graph declares the models: HuggingFace configs and parameters,
// GPT-2 and Llama-family decoders as Gorgonia graphs of hand-written custom
// ops, and two kinds of recurrent memory around them: the Recurrent Memory
// Transformer (memory tokens) and the Associative Recurrent Memory
// Transformer (a per-layer associative matrix, armt.go).
//
// A model is Config -> Weights (HF names, one ordered list) -> Segment, the
// graph of one segment [mem | tokens | mem], built and compiled once per
// shape and reused. Cell carries memory across segments and trains by
// segment replay, in the memory of one segment whatever their number;
// Stream reads inputs of any length and generates answers. Both memory
// kinds run through the same Cell, replay and Stream: a kind only chooses
// the segment graph and the state it hands on (a flat []T).
//
//	w, _ := checkpoints.LoadPretrained("stories260K")
//	graph.InitMemory(w, 16, seed)
//	cell, _ := graph.NewCell[float32](w, 16, 128, true)
//	g, _ := cell.Gradients(graph.Sequence{IDs: rows}, -1) // g.Loss, g.Params
//
// Graph builders panic on shape bugs (checked before building); exported
// entry points return errors. Gorgonia's silently wrong stock ops
// (InverseSqrt, LogSumExp, last-axis SoftMax, ByIndices off axis 0, a
// second Grad; docs/gorgonia.md) are never used: every op on the hot path
// is our own, with its gradient checked against float64 finite differences.
package graph
