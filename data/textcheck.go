package data

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// textWindow is how much of each end of a text file checkText reads.
const textWindow = 64 << 10

// checkText refuses a file of a text folder that is not UTF-8 text: a NUL
// byte or an invalid UTF-8 sequence in its first or last 64 KiB. Only the
// ends are read, since a corpus may be gigabytes; a binary file (an image,
// an archive, a compiled file renamed .txt) or a Latin-1 book shows itself
// there. opt names the folder's option (noise_dir) in the error.
func checkText(path string, size int64, opt string) error {
	f, err := os.Open(path)
	if err != nil {
		return wrapField(opt, "", err)
	}
	defer f.Close()
	starts := []int64{0}
	if size > textWindow {
		starts = append(starts, max(textWindow, size-textWindow))
	}
	buf := make([]byte, textWindow)
	for _, off := range starts {
		n, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return wrapField(opt, "", err)
		}
		b := buf[:n]
		skip := 0
		if off > 0 { // the window may start inside a character
			for skip < len(b) && skip < utf8.UTFMax-1 && !utf8.RuneStart(b[skip]) {
				skip++
			}
		}
		if at, what := notText(b[skip:], off+int64(n) < size); at >= 0 {
			return badField(opt, ": %s is not UTF-8 text (%s at byte %d); a text folder holds UTF-8 .txt files only: convert the file or move it out",
				path, what, off+int64(skip+at))
		}
	}
	return nil
}

// notText is the offset of the first NUL byte or invalid UTF-8 sequence in
// b and what it is, or -1. cut: b ends mid-file, so a character cut short
// at its end is no error.
func notText(b []byte, cut bool) (int, string) {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if cut && !utf8.FullRune(b[i:]) {
				return -1, ""
			}
			return i, fmt.Sprintf("invalid byte 0x%02x", b[i])
		}
		if r == 0 {
			return i, "a NUL byte"
		}
		i += n
	}
	return -1, ""
}
