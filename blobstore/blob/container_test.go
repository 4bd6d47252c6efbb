package blob

import (
	"testing"

	"github.com/azemu/azemu/blobstore"
	"github.com/azemu/azemu/blobstore/storageerr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestContainerNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{
		{"abc", true}, {"a-b-c", true}, {"$root", true}, {"a1b2", true},
		{"ab", false}, {"-abc", false}, {"abc-", false}, {"a--b", false}, {"ABC", false}, {"a_b", false},
		{string(make([]byte, 64)), false},
	} {
		assert.Equal(t, tt.ok, blobstore.ValidContainerName(tt.name), tt.name)
	}
}

func TestContainerLifecycle(t *testing.T) {
	e := newEnv(t)
	p, err := e.s.CreateContainer(e.ctx, cref("box"), blobstore.CreateContainerOptions{Metadata: map[string]string{"Color": "blue"}, PublicAccess: blobstore.PublicAccessBlob})
	require.NoError(t, err)
	assert.NotEmpty(t, p.ETag)
	_, err = e.s.CreateContainer(e.ctx, cref("box"), blobstore.CreateContainerOptions{})
	assert.ErrorIs(t, err, storageerr.ErrContainerAlreadyExists)
	_, err = e.s.CreateContainer(e.ctx, cref("Bad"), blobstore.CreateContainerOptions{})
	assert.ErrorIs(t, err, storageerr.ErrInvalidResourceName)
	_, err = e.s.CreateContainer(e.ctx, blobstore.ContainerRef{Account: "nosuchacct", Container: "box"}, blobstore.CreateContainerOptions{})
	assert.ErrorIs(t, err, storageerr.ErrAccountNotFound)
	_, err = e.s.CreateContainer(e.ctx, cref("box2"), blobstore.CreateContainerOptions{Metadata: map[string]string{"1x": "v"}})
	assert.ErrorIs(t, err, storageerr.ErrInvalidMetadata)

	got, err := e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Color": "blue"}, got.Metadata)
	assert.Equal(t, blobstore.PublicAccessBlob, got.PublicAccess)
	assert.Equal(t, blobstore.LeaseInfo{State: blobstore.LeaseStateAvailable, Status: blobstore.LeaseStatusUnlocked}, got.Lease)

	e.clock.Advance(2e9)
	p2, err := e.s.SetContainerMetadata(e.ctx, cref("box"), map[string]string{"a": "1"}, blobstore.Conditions{})
	require.NoError(t, err)
	assert.NotEqual(t, p.ETag, p2.ETag)
	assert.True(t, p2.LastModified.After(p.LastModified))

	_, err = e.s.SetContainerACL(e.ctx, cref("box"), blobstore.SetContainerACLOptions{Identifiers: []blobstore.SignedIdentifier{{ID: "p1", Policy: blobstore.AccessPolicy{Permission: "rl"}}}})
	require.NoError(t, err)
	pol, found, err := e.s.ContainerPolicy(e.ctx, cref("box"), "p1")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, "rl", pol.Permission)
	_, err = e.s.SetContainerACL(e.ctx, cref("box"), blobstore.SetContainerACLOptions{Identifiers: make([]blobstore.SignedIdentifier, 6)})
	assert.ErrorIs(t, err, storageerr.ErrInvalidXMLDocument)

	e.reopen()
	got, err = e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "1"}, got.Metadata)

	require.NoError(t, e.s.DeleteContainer(e.ctx, cref("box"), blobstore.Conditions{}))
	_, err = e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
	assert.ErrorIs(t, err, storageerr.ErrContainerNotFound)
}

func TestListContainersPaging(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"c03", "c01", "c02", "d01", "c04"} {
		e.mkContainer(n)
	}
	l, err := e.s.ListContainers(e.ctx, acct, blobstore.ListContainersOptions{Prefix: "c", MaxResults: 3})
	require.NoError(t, err)
	require.Len(t, l.Containers, 3)
	assert.Equal(t, "c01", l.Containers[0].Name)
	assert.Equal(t, "c04", l.NextMarker)
	l, err = e.s.ListContainers(e.ctx, acct, blobstore.ListContainersOptions{Prefix: "c", Marker: l.NextMarker})
	require.NoError(t, err)
	require.Len(t, l.Containers, 1)
	assert.Equal(t, "", l.NextMarker)
}

func TestContainerLease(t *testing.T) {
	e := newEnv(t)
	e.mkContainer("box")
	r, err := e.s.LeaseContainer(e.ctx, cref("box"), blobstore.LeaseOptions{Action: blobstore.LeaseAcquire, Duration: 15})
	require.NoError(t, err)
	require.NotEmpty(t, r.LeaseID)
	err = e.s.DeleteContainer(e.ctx, cref("box"), blobstore.Conditions{})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIDMissing)
	err = e.s.DeleteContainer(e.ctx, cref("box"), blobstore.Conditions{LeaseID: "00000000-0000-0000-0000-000000000000"})
	assert.ErrorIs(t, err, storageerr.ErrLeaseIDMismatchWithContainerOperation)
	p, err := e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, blobstore.LeaseInfo{State: blobstore.LeaseStateLeased, Status: blobstore.LeaseStatusLocked, Duration: blobstore.LeaseDurationFixed}, p.Lease)
	e.clock.Advance(16e9)
	p, err = e.s.GetContainerProperties(e.ctx, cref("box"), blobstore.Conditions{})
	require.NoError(t, err)
	assert.Equal(t, blobstore.LeaseInfo{State: blobstore.LeaseStateExpired, Status: blobstore.LeaseStatusUnlocked}, p.Lease)
	require.NoError(t, e.s.DeleteContainer(e.ctx, cref("box"), blobstore.Conditions{}))
}
