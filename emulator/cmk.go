package emulator

import "errors"

// errNotStarted is returned by accessors used before Start finished.
var errNotStarted = errors.New("emulator: the services are not open yet")
