// This folder is an npm project, not Go code. This go.mod makes it a separate
// (empty) module so that ./... patterns never descend into node_modules.
module github.com/azemu/azemu/conformance/js

go 1.26
