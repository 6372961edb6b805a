package data

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Record is one line of a dataset file (docs/data.md): a question sample
// (Context, Question, Answer; Question is empty for prompt/completion
// lines) or a text (lm).
type Record struct {
	ID                        string
	Context, Question, Answer string
	Text                      string
}

// qaLayouts are the field names a question line may use: context,
// question and answer ("" where the layout has none).
var qaLayouts = [][3]string{
	{"context", "question", "answer"},
	{"input", "question", "target"}, // BABILong's published samples
	{"prompt", "", "completion"},
}

// ParseRecord reads one JSONL line of kind "qa" or "lm". Errors speak of
// the line's fields; the caller adds the file and line number.
func ParseRecord(line []byte, kind string) (Record, error) {
	if !utf8.Valid(line) {
		return Record{}, fmt.Errorf("invalid UTF-8")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return Record{}, fmt.Errorf("malformed JSON: want an object, got %s", ute.Value)
		}
		return Record{}, fmt.Errorf("malformed JSON: %v", err)
	}
	if m == nil {
		return Record{}, fmt.Errorf("malformed JSON: want an object, got null")
	}
	var r Record
	if raw, ok := m["id"]; ok {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(raw, &s) == nil:
			r.ID = s
		case json.Unmarshal(raw, &n) == nil:
			r.ID = n.String()
		default:
			return Record{}, fmt.Errorf("field \"id\" is %s, want a string or a number", jsonKind(raw))
		}
	}
	if kind == "lm" {
		var err error
		r.Text, err = field(m, "text")
		return r, err
	}
	layout := -1
	switch {
	case has(m, "context") || has(m, "answer"):
		layout = 0
	case has(m, "input") || has(m, "target"):
		layout = 1
	case has(m, "prompt") || has(m, "completion"):
		layout = 2
	case has(m, "question"):
		layout = 0
	default:
		return Record{}, fmt.Errorf("no question fields: want context/question/answer, input/question/target or prompt/completion")
	}
	names := qaLayouts[layout]
	dst := []*string{&r.Context, &r.Question, &r.Answer}
	for i, name := range names {
		if name == "" {
			continue
		}
		v, err := field(m, name)
		if err != nil {
			return Record{}, err
		}
		*dst[i] = v
	}
	return r, nil
}

func has(m map[string]json.RawMessage, k string) bool { _, ok := m[k]; return ok }

// field is the non-empty string field name of m.
func field(m map[string]json.RawMessage, name string) (string, error) {
	raw, ok := m[name]
	if !ok {
		return "", fmt.Errorf("field %q is missing", name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("field %q is %s, want a string", name, jsonKind(raw))
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("field %q is empty", name)
	}
	return s, nil
}

// jsonKind names the JSON type of a raw value.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// DefaultValShare is the share of a dataset's lines held out for
// validation when no validation file is given.
const DefaultValShare = 0.1

// DatasetConfig names the files of a dataset.
type DatasetConfig struct {
	Kind  string   // "qa" or "lm"
	Files []string // training files (--data)
	// ValFile (--val-data) is the validation file; when empty, ValShare of
	// the lines of Files, picked by a hash of their id (or file name and
	// line number), are held out for validation instead.
	ValFile   string
	ValShare  float64
	Tokenizer Tokenizer
}

// lineRef is one usable line of a dataset: where it is and how many tokens
// its sample has. The index holds these, never the text.
type lineRef struct {
	off    int64
	size   int32 // bytes, without the line break
	file   int16
	line   int32 // 1-based
	tokens int32 // the sample's tokens (qa: context, question, marker, answer, EOS; lm: the text)
}

// Dataset is the index of a set of JSONL files: per split, the offset and
// token count of every line. Lines are read back when a sample needs them.
type Dataset struct {
	cfg        DatasetConfig
	paths      []string
	files      []*os.File
	train, val []lineRef
	// Blank counts the blank lines skipped, per path (train files, then
	// the validation file).
	Blank []int
}

// Paths are the dataset's files, the validation file last when given.
func (d *Dataset) Paths() []string { return d.paths }

// Lines is the number of usable lines of a split.
func (d *Dataset) Lines(split string) int { return len(d.split(split)) }

func (d *Dataset) split(split string) []lineRef {
	if split != SplitTrain { // the held-out lines serve validation and evaluation
		return d.val
	}
	return d.train
}

// datasets caches open indexes: every stage and split of a run shares one.
var datasets = struct {
	sync.Mutex
	m map[datasetKey]*Dataset
}{m: map[datasetKey]*Dataset{}}

type datasetKey struct {
	desc string
	tok  Tokenizer
}

// OpenDataset indexes cfg's files (cached per config and tokenizer): every
// line is parsed and tokenized once to learn its sample's length, and only
// its offset and length are kept. A bad line is an error naming the file
// and line; blank lines are skipped and counted (Dataset.Blank).
func OpenDataset(cfg DatasetConfig) (*Dataset, error) {
	if len(cfg.Files) == 0 && cfg.ValFile == "" {
		return nil, badField("", "task %s needs {data} (JSONL files)", cfg.Kind)
	}
	if !(cfg.ValShare >= 0 && cfg.ValShare < 1) {
		return nil, badField("val_share", "%g, want a share from 0 up to (not including) 1", cfg.ValShare)
	}
	// A file rewritten since it was indexed (size or time) is indexed again.
	var stamp []string
	for _, p := range append(append([]string(nil), cfg.Files...), cfg.ValFile) {
		if fi, err := os.Stat(p); err == nil {
			stamp = append(stamp, fmt.Sprint(fi.Size(), fi.ModTime().UnixNano()))
		}
	}
	key := datasetKey{desc: fmt.Sprintf("%s|%q|%q|%g|%q", cfg.Kind, cfg.Files, cfg.ValFile, cfg.ValShare, stamp), tok: cfg.Tokenizer}
	cache := cfg.Tokenizer != nil && reflect.TypeOf(cfg.Tokenizer).Comparable()
	if cache {
		datasets.Lock()
		defer datasets.Unlock()
		if d, ok := datasets.m[key]; ok {
			return d, nil
		}
	}
	d, err := indexDataset(cfg)
	if err != nil {
		return nil, err
	}
	if cache {
		datasets.m[key] = d
	}
	return d, nil
}

func indexDataset(cfg DatasetConfig) (*Dataset, error) {
	d := &Dataset{cfg: cfg}
	paths := append([]string(nil), cfg.Files...)
	if cfg.ValFile != "" {
		paths = append(paths, cfg.ValFile)
	}
	if len(paths) > 1<<15 {
		return nil, fmt.Errorf("data: %d dataset files, want at most %d", len(paths), 1<<15)
	}
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			d.Close()
			return nil, wrapField("data", "", err)
		}
		d.paths = append(d.paths, p)
		d.files = append(d.files, f)
		isVal := cfg.ValFile != "" && i == len(paths)-1
		blank, usable, err := d.indexFile(i, f, isVal)
		if err != nil {
			d.Close()
			return nil, err
		}
		if usable == 0 {
			d.Close()
			if blank > 0 {
				return nil, fmt.Errorf("data: %s has no data: %d blank lines", p, blank)
			}
			return nil, fmt.Errorf("data: %s is empty", p)
		}
		d.Blank = append(d.Blank, blank)
	}
	return d, nil
}

// Close closes the files (a cached dataset stays open for the process).
func (d *Dataset) Close() {
	for _, f := range d.files {
		f.Close()
	}
}

// indexFile reads file i line by line.
func (d *Dataset) indexFile(i int, f *os.File, isVal bool) (blank, usable int, err error) {
	path := d.paths[i]
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	for n := 1; ; n++ {
		line, rerr := r.ReadBytes('\n')
		if rerr != nil && rerr != io.EOF {
			return 0, 0, fmt.Errorf("data: %s line %d: %w", path, n, rerr)
		}
		if len(line) == 0 && rerr == io.EOF {
			break
		}
		size := len(line)
		body := bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(body)) == 0 {
			blank++
		} else {
			if len(body) > 1<<31-1 {
				return 0, 0, fmt.Errorf("data: %s line %d: %d bytes, want under 2 GiB", path, n, len(body))
			}
			rec, err := ParseRecord(body, d.cfg.Kind)
			if err != nil {
				return 0, 0, fmt.Errorf("data: %s line %d: %w", path, n, err)
			}
			tokens, err := d.sampleTokens(rec)
			if err != nil {
				return 0, 0, fmt.Errorf("data: %s line %d: %w", path, n, err)
			}
			ref := lineRef{off: off, size: int32(len(body)), file: int16(i), line: int32(n), tokens: int32(min(tokens, 1<<31-1))}
			if isVal || (d.cfg.ValFile == "" && HeldOut(rec.ID, path, n, d.cfg.ValShare)) {
				d.val = append(d.val, ref)
			} else {
				d.train = append(d.train, ref)
			}
			usable++
		}
		off += int64(size)
		if rerr == io.EOF {
			break
		}
	}
	return blank, usable, nil
}

// HeldOut reports whether a line belongs to the validation share: a hash of
// its id (or, without one, of its file's base name and line number) below
// share. It depends on nothing else, so the share is the same in every run
// and resume, and never drawn by training.
func HeldOut(id, path string, line int, share float64) bool {
	if share <= 0 {
		return false
	}
	key := "id:" + id
	if id == "" {
		key = "line:" + filepath.Base(path) + ":" + strconv.Itoa(line)
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return float64(splitmix(h.Sum64())>>11)/(1<<53) < share
}

// sampleTokens is the length of a record's sample.
func (d *Dataset) sampleTokens(r Record) (int, error) {
	if d.cfg.Kind == "lm" {
		ids, err := EncodeText(d.cfg.Tokenizer, r.Text)
		return len(ids), err
	}
	p, err := encodeQA(d.cfg.Tokenizer, r)
	if err != nil {
		return 0, err
	}
	return len(p.context) + len(p.tail) + len(p.answer), nil
}

// read returns the record of a line.
func (d *Dataset) read(ref lineRef) (Record, error) {
	buf := make([]byte, ref.size)
	path := d.paths[ref.file]
	if _, err := d.files[ref.file].ReadAt(buf, ref.off); err != nil {
		return Record{}, fmt.Errorf("data: %s line %d: %w", path, ref.line, err)
	}
	rec, err := ParseRecord(buf, d.cfg.Kind)
	if err != nil {
		return Record{}, fmt.Errorf("data: %s line %d (changed since it was indexed?): %w", path, ref.line, err)
	}
	return rec, nil
}

// qaPieces are the token pieces of a question sample:
// context | question | marker, then answer | EOS.
type qaPieces struct {
	context []int
	tail    []int // question and marker
	qLen    int   // question tokens in tail
	answer  []int // answer and EOS
}

// encodeQA tokenizes a record as the babi task lays out a sample: " " +
// context (TextEncoder), " " + question, " Answer:", " " + answer, EOS.
func encodeQA(tok Tokenizer, r Record) (qaPieces, error) {
	var p qaPieces
	var err error
	if p.context, err = EncodeText(tok, r.Context); err != nil {
		return p, err
	}
	if p.tail, err = QuestionIDs(tok, r.Question); err != nil {
		return p, err
	}
	m, _ := tok.Encode(AnswerMarker)
	p.qLen = len(p.tail) - len(m)
	if p.answer, err = AnswerIDs(tok, r.Answer); err != nil {
		return p, err
	}
	return p, nil
}

// QuestionIDs is the ids of " " + question and the answer marker (the
// marker alone for an empty question).
func QuestionIDs(tok Tokenizer, question string) ([]int, error) {
	var ids []int
	if q := strings.TrimSpace(question); q != "" {
		var err error
		if ids, err = tok.Encode(" " + q); err != nil {
			return nil, fmt.Errorf("data: tokenize the question: %w", err)
		}
	}
	m, err := tok.Encode(AnswerMarker)
	if err != nil {
		return nil, fmt.Errorf("data: tokenize the answer marker: %w", err)
	}
	return append(ids, m...), nil
}

// AnswerIDs is the ids of " " + answer and EOS (when the tokenizer has one).
func AnswerIDs(tok Tokenizer, answer string) ([]int, error) {
	ids, err := tok.Encode(" " + strings.TrimSpace(answer))
	if err != nil {
		return nil, fmt.Errorf("data: tokenize the answer: %w", err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("data: the answer %q has no tokens", answer)
	}
	if eos := tok.EOS(); eos >= 0 {
		ids = append(ids, eos)
	}
	return ids, nil
}
