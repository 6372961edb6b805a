package kernels

import "math"

// SoftmaxXent scores r rows of logits (r, v) against targets, each row
// weighted by w[i] (the loss normaliser is folded into w by the caller). It
// returns sum_i w[i] * -log softmax(logits[i])[targets[i]], accumulated in
// float64, and overwrites logits with the gradient of that sum:
// w[i] * (softmax(logits[i]) - onehot(targets[i])).
//
// The row loops (max, exp-and-sum, scale) are the vector loops of the
// attention kernel: at GPT-2's vocabulary this is 25M elements a segment.
func SoftmaxXent[T Float](p *Pool, r, v int, logits []T, targets []int, w []T) float64 {
	ks := kernelsFor(logits)
	losses := make([]float64, r)
	p.For(r, 2, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := logits[i*v : (i+1)*v]
			t := targets[i]
			zt := float64(row[t])
			mx := ks.max(row)
			sum := float64(ks.expSub(row, mx))
			losses[i] = float64(w[i]) * (math.Log(sum) - (zt - float64(mx)))
			ks.scal(row, T(float64(w[i])/sum))
			row[t] -= w[i]
		}
	})
	var total float64
	for _, l := range losses {
		total += l
	}
	return total
}
