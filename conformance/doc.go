// Package conformance drives a running azemu through the official Azure SDKs
// for Go. Each test starts its own emulator on free ports (in memory unless a
// test needs a data folder) and talks to it only through the SDK clients, so
// a test passing here means an application using the same SDK works.
package conformance
