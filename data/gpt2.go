package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// BABILong counts its lengths in GPT-2 tokens (docs/babilong.md), so the
// counting tokenizer ships with the project: GPT-2's public vocabulary and
// merges, gzip-compressed (data/gpt2/NOTICE.md), read into the same BPE as
// LoadTokenizer on first use.

var (
	//go:embed gpt2/vocab.json.gz
	gpt2VocabGz []byte
	//go:embed gpt2/merges.txt.gz
	gpt2MergesGz []byte

	gpt2Once sync.Once
	gpt2Tok  Tokenizer
	gpt2Err  error
)

// GPT2Tokenizer returns GPT-2's byte-level BPE tokenizer (vocabulary
// 50,257, EOS <|endoftext|> = 50256), built once from the embedded files.
func GPT2Tokenizer() (Tokenizer, error) {
	gpt2Once.Do(func() { gpt2Tok, gpt2Err = buildGPT2() })
	return gpt2Tok, gpt2Err
}

// GPT2Files returns the embedded vocab.json and merges.txt, uncompressed.
func GPT2Files() (vocab, merges []byte, err error) {
	if vocab, err = gunzip(gpt2VocabGz); err != nil {
		return nil, nil, fmt.Errorf("data: embedded GPT-2 vocab.json: %w", err)
	}
	if merges, err = gunzip(gpt2MergesGz); err != nil {
		return nil, nil, fmt.Errorf("data: embedded GPT-2 merges.txt: %w", err)
	}
	return vocab, merges, nil
}

func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// buildGPT2 writes the tokenizer.json that HuggingFace ships for GPT-2
// (ByteLevel pre-tokenizer and decoder, <|endoftext|> added) around the
// embedded vocab and merges, and parses it.
func buildGPT2() (Tokenizer, error) {
	vocab, merges, err := GPT2Files()
	if err != nil {
		return nil, err
	}
	var list []string
	sc := bufio.NewScanner(bytes.NewReader(merges))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#version") || line == "" {
			continue
		}
		list = append(list, line)
	}
	mergesJSON, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"added_tokens":[{"id":50256,"special":true,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":true}],`)
	b.WriteString(`"normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true},`)
	b.WriteString(`"post_processor":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false},`)
	b.WriteString(`"decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true},`)
	b.WriteString(`"model":{"dropout":null,"unk_token":null,"continuing_subword_prefix":"","end_of_word_suffix":"","fuse_unk":false,"vocab":`)
	b.Write(vocab)
	b.WriteString(`,"merges":`)
	b.Write(mergesJSON)
	b.WriteString(`}}`)
	t, err := parseTokenizer(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("data: embedded GPT-2 tokenizer: %w", err)
	}
	return t, nil
}
