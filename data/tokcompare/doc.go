// Package tokcompare measures package data's tokenizer against the whole
// pipeline of github.com/sugarme/tokenizer (pretrained.FromFile) on the same
// tokenizer.json files and texts: agreement with the ids HuggingFace's
// tokenizers give (the reference fixtures of the shared models), panics, and
// encoding speed. It is a module of its own because sugarme's BPE model
// imports github.com/emirpasic/gods, which the rmt module does not require;
// nothing in rmt imports it.
//
//	cd data/tokcompare && go test -v -run Reference .
//	cd data/tokcompare && go test -run '^$' -bench Encode -benchtime 1x .
//
// The findings are summed up in package data's doc comment.
package tokcompare
