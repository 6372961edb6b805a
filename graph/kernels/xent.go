package kernels

import "math"

// SoftmaxXent scores r rows of logits (r, v) against targets, each row
// weighted by w[i] (the loss normaliser is folded into w by the caller). It
// returns sum_i w[i] * -log softmax(logits[i])[targets[i]], accumulated in
// float64, and overwrites logits with the gradient of that sum:
// w[i] * (softmax(logits[i]) - onehot(targets[i])).
func SoftmaxXent[T Float](r, v int, logits []T, targets []int, w []T) float64 {
	losses := make([]float64, r)
	ParallelFor(r, 2, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := logits[i*v : (i+1)*v]
			t := targets[i]
			zt := float64(row[t])
			mx := row[0]
			for _, z := range row {
				mx = max(mx, z)
			}
			var sum float64
			if r32, ok := any(row).([]float32); ok {
				for j := range r32 {
					r32[j] -= float32(mx)
				}
				ExpSlice32(r32, r32)
				for _, e := range r32 {
					sum += float64(e)
				}
			} else {
				for j, z := range row {
					e := math.Exp(float64(z - mx))
					row[j] = T(e)
					sum += e
				}
			}
			losses[i] = float64(w[i]) * (math.Log(sum) - (zt - float64(mx)))
			inv := 1 / sum
			for j := range row {
				row[j] = T(float64(row[j])*inv) * w[i]
			}
			row[t] -= w[i]
		}
	})
	var total float64
	for _, l := range losses {
		total += l
	}
	return total
}
