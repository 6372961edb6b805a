package data

// MaxBabiTask is the highest bAbI task number: qa1-qa20 are read where
// their files exist. The noise filter (vocab.go) knows the entities of
// qa1-qa5 only, so background text may name an entity of a later task.
const MaxBabiTask = 20
