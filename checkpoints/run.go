package checkpoints

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Run is the checkpoint side of a training run's output directory
// (docs/formats.md):
//
//	DIR/checkpoints/step-000100/   one checkpoint per save (Save's layout)
//	DIR/checkpoints/step-000200/
//	DIR/checkpoints/latest         "step-000200": the newest checkpoint
//	DIR/checkpoints/best           "step-000100": the best one so far
//
// latest and best are small text files holding a directory name, written
// atomically, rather than symbolic links, which not every file system or
// copy tool keeps. A Run has one writer at a time.
type Run struct {
	Dir string
	// Keep is how many step checkpoints to keep, newest first, besides the
	// ones latest and best name; 0 or less keeps every one.
	Keep int
}

const (
	checkpointsDir = "checkpoints"
	latestPointer  = "latest"
	bestPointer    = "best"
	stepPrefix     = "step-"
)

// stepName is the directory name of the checkpoint after step optimizer steps.
func stepName(step int) string { return fmt.Sprintf("%s%06d", stepPrefix, step) }

// parseStep is the inverse of stepName; ok is false for any other name.
func parseStep(name string) (step int, ok bool) {
	digits, ok := strings.CutPrefix(name, stepPrefix)
	if !ok || len(digits) < 6 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	step, err := strconv.Atoi(digits)
	return step, err == nil && stepName(step) == name
}

func (r Run) root() string { return filepath.Join(r.Dir, checkpointsDir) }

// SaveStep saves ck as DIR/checkpoints/step-NNNNNN (NNNNNN = ck.State.Step),
// points latest at it, and best too when isBest, then prunes to Keep. It
// returns the checkpoint's path and sets ck.TokenizerFile to the copy in it
// (when ck has a tokenizer), so that the next save copies from a checkpoint
// that pruning keeps.
//
// A checkpoint of the same step can exist already: a run killed after the
// rename but before latest moved on, resumed from the checkpoint before. It is
// replaced without a window in which it is missing or partial; see replace.
// Leftovers of killed saves (hidden temporary directories) are removed.
func (r Run) SaveStep(ck *Checkpoint, isBest bool) (path string, err error) {
	if ck == nil {
		return "", errors.New("checkpoints: SaveStep of a nil checkpoint")
	}
	if ck.State.Step < 0 {
		return "", fmt.Errorf("checkpoints: checkpoint has step %d; want at least 0", ck.State.Step)
	}
	root := r.root()
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("checkpoints: %w", err)
	}
	name := stepName(ck.State.Step)
	path = filepath.Join(root, name)
	switch _, err := os.Lstat(path); {
	case err == nil:
		if err := r.replace(name, ck); err != nil {
			return "", err
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := Save(path, ck); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("checkpoints: %w", err)
	}
	// best before latest: a kill between the two leaves latest on the
	// checkpoint before, so a resumed run redoes this step and this save.
	// The other order could leave latest on a best checkpoint that best
	// does not name, which nothing after the resume would repair.
	if isBest {
		if err := writePointer(root, bestPointer, name); err != nil {
			return "", err
		}
	}
	if err := writePointer(root, latestPointer, name); err != nil {
		return "", err
	}
	if ck.TokenizerFile != "" {
		ck.TokenizerFile = filepath.Join(path, tokenizerFile)
	}
	return path, r.prune()
}

// replace swaps a new checkpoint in for the existing directory name. The new
// one is written in full under a hidden name; a pointer that names the old
// one is first moved to the name the old one is about to get; then two
// renames swap them. At every moment each pointer names a complete
// checkpoint. The old one is deleted by prune once no pointer names it (best
// may keep naming it, under its hidden name, when this save is not a best).
func (r Run) replace(name string, ck *Checkpoint) error {
	root := r.root()
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	final := filepath.Join(root, name)
	fresh := filepath.Join(root, "."+name+".new-"+suffix)
	aside := "." + name + ".old-" + suffix
	if err := Save(fresh, ck); err != nil {
		return err
	}
	var moved []string
	for _, p := range []string{latestPointer, bestPointer} {
		target, _, err := readPointer(root, p)
		if err != nil {
			os.RemoveAll(fresh)
			return err
		}
		if target == name {
			if err := writePointer(root, p, aside); err != nil {
				os.RemoveAll(fresh)
				return err
			}
			moved = append(moved, p)
		}
	}
	if err := os.Rename(final, filepath.Join(root, aside)); err != nil {
		for _, p := range moved { // best effort: the old one is still in place
			writePointer(root, p, name)
		}
		os.RemoveAll(fresh)
		return fmt.Errorf("checkpoints: replace %s: %w", final, err)
	}
	if err := os.Rename(fresh, final); err != nil {
		os.RemoveAll(fresh)
		return fmt.Errorf("checkpoints: replace %s: %w", final, err)
	}
	if err := syncDir(root); err != nil {
		return fmt.Errorf("checkpoints: replace %s: fsync %s: %w", final, root, err)
	}
	return nil
}

// prune deletes step checkpoints beyond the newest Keep, except those that
// latest and best name, and the hidden leftovers of killed or replaced saves
// that no pointer names. A directory is renamed to a hidden name before it is
// deleted, so a kill mid-delete never leaves a partial step-NNNNNN.
func (r Run) prune() error {
	root := r.root()
	keep := map[string]bool{}
	for _, p := range []string{latestPointer, bestPointer} {
		target, _, err := readPointer(root, p)
		if err != nil {
			return err
		}
		keep[target] = true
	}
	steps, err := listSteps(root)
	if err != nil {
		return err
	}
	var doomed []string
	if r.Keep > 0 && len(steps) > r.Keep {
		for _, s := range steps[:len(steps)-r.Keep] {
			if !keep[s.name] {
				doomed = append(doomed, s.name)
			}
		}
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	for _, e := range ents {
		if n := e.Name(); isLeftover(n) && !keep[n] {
			doomed = append(doomed, n)
		}
	}
	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	for _, n := range doomed {
		gone := filepath.Join(root, n)
		if !strings.HasPrefix(n, ".") {
			hidden := filepath.Join(root, "."+n+".del-"+suffix)
			if err := os.Rename(gone, hidden); err != nil {
				return fmt.Errorf("checkpoints: prune %s: %w", gone, err)
			}
			gone = hidden
		}
		if err := os.RemoveAll(gone); err != nil {
			return fmt.Errorf("checkpoints: prune %s: %w", gone, err)
		}
	}
	return nil
}

// isLeftover reports names of the hidden temporaries that saves in
// DIR/checkpoints create: WriteDirAtomic's and replace's directories
// (".step-...", "..step-..."), WriteFileAtomic's pointer temps.
func isLeftover(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasPrefix(strings.TrimLeft(name, "."), stepPrefix) ||
		strings.HasPrefix(name, "."+latestPointer+".tmp-") || strings.HasPrefix(name, "."+bestPointer+".tmp-")
}

type stepDir struct {
	name string
	step int
}

// listSteps lists the step-NNNNNN directories under root, oldest first.
func listSteps(root string) ([]stepDir, error) {
	ents, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	var steps []stepDir
	for _, e := range ents {
		if step, ok := parseStep(e.Name()); ok && e.IsDir() {
			steps = append(steps, stepDir{e.Name(), step})
		}
	}
	slices.SortFunc(steps, func(a, b stepDir) int { return cmp.Compare(a.step, b.step) })
	return steps, nil
}

// writePointer points root/pointer at the directory name.
func writePointer(root, pointer, name string) error {
	return WriteFileAtomic(filepath.Join(root, pointer), []byte(name+"\n"))
}

// readPointer returns the directory name that root/pointer holds; found is
// false and name "" when the pointer file does not exist.
func readPointer(root, pointer string) (name string, found bool, err error) {
	path := filepath.Join(root, pointer)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("checkpoints: %w", err)
	}
	name = strings.TrimSpace(string(raw))
	if name == "" || name == "." || name == ".." || filepath.Base(name) != name || !filepath.IsLocal(name) {
		return "", false, fmt.Errorf("checkpoints: %s holds %q; want the name of a checkpoint directory beside it", path, snippet(raw))
	}
	return name, true, nil
}

// pointed resolves a pointer to a checkpoint path; found is false when the
// pointer does not exist. A pointer naming a missing directory is an error.
func (r Run) pointed(pointer string) (path string, found bool, err error) {
	root := r.root()
	name, found, err := readPointer(root, pointer)
	if err != nil || !found {
		return "", found, err
	}
	path = filepath.Join(root, name)
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		return "", false, fmt.Errorf("checkpoints: %s names %s, which is not a checkpoint directory", filepath.Join(root, pointer), path)
	}
	return path, true, nil
}

// Latest returns the path of the newest checkpoint: the one latest names or,
// when a run was killed before it first wrote latest, the highest step.
func (r Run) Latest() (string, error) {
	path, found, err := r.pointed(latestPointer)
	if err != nil || found {
		return path, err
	}
	steps, err := listSteps(r.root())
	if err != nil {
		return "", err
	}
	if len(steps) == 0 {
		return "", fmt.Errorf("checkpoints: no checkpoint in %s; nothing to resume", r.root())
	}
	return filepath.Join(r.root(), steps[len(steps)-1].name), nil
}

// Best returns the path of the checkpoint best names.
func (r Run) Best() (string, error) {
	path, found, err := r.pointed(bestPointer)
	if err != nil {
		return "", err
	}
	if !found {
		return "", fmt.Errorf("checkpoints: no best checkpoint in %s (no %s file)", r.root(), bestPointer)
	}
	return path, nil
}

// Resolve turns what a user passes as --checkpoint into a checkpoint
// directory: a checkpoint directory (it holds state.json) or an exported
// folder (rmt.json without state.json, see Open) as is; a run
// directory (it holds checkpoints/), or its checkpoints/ folder, as its best
// checkpoint, else its latest.
func Resolve(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("checkpoints: %w", err)
	}
	if !info.IsDir() {
		return "", fmt.Errorf("checkpoints: %s is a file; want a checkpoint or run directory", path)
	}
	isDir := func(p string) bool { fi, err := os.Stat(p); return err == nil && fi.IsDir() }
	var r Run
	switch {
	case isFile(filepath.Join(path, stateFile)), IsExport(path):
		return path, nil
	case isDir(filepath.Join(path, checkpointsDir)):
		r = Run{Dir: path}
	case filepath.Base(filepath.Clean(path)) == checkpointsDir &&
		(isFile(filepath.Join(path, latestPointer)) || isFile(filepath.Join(path, bestPointer))):
		r = Run{Dir: filepath.Dir(filepath.Clean(path))}
	default:
		return "", fmt.Errorf("checkpoints: %s is not a checkpoint directory (no %s), an exported folder (no %s) or a run directory (no %s/)", path, stateFile, rmtFile, checkpointsDir)
	}
	best, found, err := r.pointed(bestPointer)
	if err != nil || found {
		return best, err
	}
	return r.Latest()
}

// Steps returns the paths of the run's step checkpoints, newest first: the
// candidates, after latest, that a resume can fall back to.
func (r Run) Steps() ([]string, error) {
	steps, err := listSteps(r.root())
	if err != nil {
		return nil, err
	}
	paths := make([]string, 0, len(steps))
	for i := len(steps) - 1; i >= 0; i-- {
		paths = append(paths, filepath.Join(r.root(), steps[i].name))
	}
	return paths, nil
}
