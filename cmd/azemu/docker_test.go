package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dockerfile is the repo's Dockerfile as instructions: the keyword and its
// arguments, continuation lines joined, comments dropped.
func dockerfile(t *testing.T) [][2]string {
	f, err := os.Open(filepath.Join("..", "..", "Dockerfile"))
	require.NoError(t, err)
	defer f.Close()
	var out [][2]string
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cont := strings.HasSuffix(line, `\`)
		cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
		if cont {
			continue
		}
		kw, args, _ := strings.Cut(strings.TrimSpace(cur.String()), " ")
		out = append(out, [2]string{strings.ToUpper(kw), strings.TrimSpace(args)})
		cur.Reset()
	}
	require.NoError(t, sc.Err())
	return out
}

// The image cannot be built on this machine (no Docker engine), so its
// promises are checked here: what the build context holds, a health check
// that follows the port flags, a data volume any user can write, and an
// in-memory mode that does not need a large /dev/shm.
func TestDockerfile(t *testing.T) {
	ins := dockerfile(t)
	args := func(kw string) []string {
		var out []string
		for _, in := range ins {
			if in[0] == kw {
				out = append(out, in[1])
			}
		}
		return out
	}
	env := strings.Join(args("ENV"), " ")

	// The health check runs azemu health, which finds the instance through
	// the status file azemu serve writes: both read AZEMU_STATUS_FILE, so it
	// follows --blob-port/--vault-port however they were given.
	hc := args("HEALTHCHECK")
	require.Len(t, hc, 1)
	assert.Contains(t, hc[0], `CMD ["/azemu", "health"]`)
	assert.NotContains(t, hc[0], "--blob-port", "no port baked into the check")
	assert.Regexp(t, `AZEMU_STATUS_FILE=/run/azemu/`, env)

	// Non-root, with /data (and the status and temp folders) writable by any
	// --user: a bind mount owned by the host user works with --user.
	assert.Equal(t, []string{"nonroot:nonroot"}, args("USER"))
	assert.Contains(t, args("VOLUME"), "/data")
	assert.Contains(t, env, "AZEMU_DATA=/data")
	run := strings.Join(args("RUN"), " ")
	assert.Regexp(t, `chmod 1777 .*/out/data`, run)
	assert.Regexp(t, `chmod 1777 .*/out/run/azemu`, run)
	assert.Regexp(t, `chmod 1777 .*/out/tmp`, run)
	copies := strings.Join(args("COPY"), "\n")
	for _, dst := range []string{" /data", " /run/azemu", " /tmp"} {
		assert.Contains(t, copies, dst)
	}
	// --in-memory falls back to TMPDIR when /dev/shm is small (Docker's 64 MB).
	assert.Contains(t, env, "TMPDIR=/tmp")
	assert.Contains(t, env, "AZEMU_HOST=0.0.0.0")

	// The build context holds no repository history, node_modules or data.
	b, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	require.NoError(t, err)
	ignore := strings.Fields(string(b))
	for _, must := range []string{".git", "**/node_modules", "**/azemu-data"} {
		assert.Contains(t, ignore, must)
	}
}
