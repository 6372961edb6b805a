// Package arch holds no code: its test keeps the import rules of
// docs/architecture.md, so that a room never reaches into one above it.
package arch
